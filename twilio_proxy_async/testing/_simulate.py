"""Twilio's Proxy flow for an inbound message or call: session lookup, the out-of-session,
intercept and status callbacks, the interaction's two legs, and delivery."""

from __future__ import annotations

import json
from typing import Literal

import attrs

from .._table import INTERACTIONS, SESSIONS
from ._api_sessions import mark_interaction, message_data, open_session
from ._callbacks import CallbackAnswer, CallbackSender, SimulationError, check_callback_url
from ._errors import ApiError
from ._forms import Form
from ._records import (
    InteractionRecord,
    ParticipantRecord,
    PhoneNumberRecord,
    ServiceRecord,
    SessionRecord,
)
from ._store import Store

_PARTICIPANTS = SESSIONS.field("participants")

Kind = Literal["message", "call"]
Outcome = Literal[
    "delivered", "undeliverable", "blocked", "no-session", "unknown-number", "session-refused"
]

_OPEN = ("open", "in-progress")
# How each leg's status moves as Twilio reports it; one status callback per step.
_MESSAGE_STEPS = (("received", "sent"), ("received", "delivered"))
_CALL_STEPS = (("in-progress", "initiated"), ("completed", "completed"))
_AUTO_CREATE_FIELDS = {
    "uniqueName": "UniqueName",
    "mode": "Mode",
    "ttl": "Ttl",
    "dateExpiry": "DateExpiry",
}


@attrs.frozen
class Delivery:
    """What reached the other participant: a message or a call from their proxy number.

    Attributes:
        kind: what was delivered, ``"message"`` or ``"call"``.
        from_: the proxy number it came from, the recipient's proxy identifier (E.164).
        to: the recipient participant's own address (E.164 phone number).
        body: the message text; None for a call.
        session_sid: the Session (``KC...``) that carried it.
        interaction_sid: the Interaction (``KI...``) recorded for it.
        participant_sid: the recipient Participant (``KP...``).
    """

    kind: Kind
    from_: str
    to: str
    body: str | None
    session_sid: str
    interaction_sid: str
    participant_sid: str


@attrs.frozen
class SimulationResult:
    """What one simulated message or call came to, from ``Emulator.run_simulation``.

    Attributes:
        outcome: how it ended: ``delivered``, ``undeliverable``, ``blocked`` (the intercept
            callback answered 403), ``no-session``, ``unknown-number`` (``to`` is no proxy
            number) or ``session-refused`` (the auto-create answer was refused).
        interaction: the Interaction record made for it, when one was made; else None.
        delivery: what reached the other participant, when something did; else None.
    """

    outcome: Outcome
    interaction: InteractionRecord | None = None
    delivery: Delivery | None = None


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _participant_fields(
    prefix: str, participant: ParticipantRecord, account: str
) -> list[tuple[str, str]]:
    return [
        (f"{prefix}AccountSid", account),
        (f"{prefix}DateCreated", participant.date_created),
        (f"{prefix}DateUpdated", participant.date_updated),
        (f"{prefix}FriendlyName", _text(participant.friendly_name)),
        (f"{prefix}Identifier", participant.identifier),
        (f"{prefix}ProxyIdentifier", participant.proxy_identifier),
        (f"{prefix}ProxyIdentifierSid", participant.proxy_identifier_sid),
        (f"{prefix}ServiceSid", participant.service_sid),
        (f"{prefix}SessionSid", participant.session_sid),
        (f"{prefix}Sid", participant.sid),
    ]


class Simulator:
    """One run per simulated message or call; ``delivered`` is the emulator's shared list."""

    def __init__(self, store: Store, sender: CallbackSender, delivered: list[Delivery]) -> None:
        self._store = store
        self._sender = sender
        self._delivered = delivered

    async def run(self, kind: Kind, from_: str, to: str, body: str | None) -> SimulationResult:
        if not from_ or not to:
            raise SimulationError("a simulated message or call needs both from_ and to")
        found = self._number(to)
        if found is None:
            return SimulationResult("unknown-number")
        service, _ = found
        for field, url in (
            ("callback_url", service.callback_url),
            ("intercept_callback_url", service.intercept_callback_url),
            ("out_of_session_callback_url", service.out_of_session_callback_url),
        ):
            if url:
                check_callback_url(field, url)
        located = self._open_session(service, from_, to)
        if located is None:
            created = await self._out_of_session(service, kind, from_, to, body)
            if isinstance(created, str):
                return SimulationResult(created)
            located = created
        session, sender = located
        return await self._interact(service, session, sender, kind, body)

    def _number(self, proxy_number: str) -> tuple[ServiceRecord, PhoneNumberRecord] | None:
        store = self._store
        sid = store.sid_of_number.get(proxy_number)
        owner = store.number_owner.get(sid) if sid is not None else None
        service = store.services.get(owner) if owner is not None else None
        number = service.phone_numbers.get(sid) if service is not None and sid else None
        return None if service is None or number is None else (service, number)

    @staticmethod
    def _sessions_of(
        service: ServiceRecord, from_: str, to: str
    ) -> list[tuple[SessionRecord, ParticipantRecord]]:
        return [
            (session, participant)
            for session in service.sessions
            for participant in session.participants
            if participant.identifier == from_
            and participant.proxy_identifier == to
            and participant.date_deleted is None
        ]

    def _open_session(
        self, service: ServiceRecord, from_: str, to: str
    ) -> tuple[SessionRecord, ParticipantRecord] | None:
        pairs = [pair for pair in self._sessions_of(service, from_, to) if pair[0].status in _OPEN]
        return pairs[-1] if pairs else None

    async def _out_of_session(
        self, service: ServiceRecord, kind: Kind, from_: str, to: str, body: str | None
    ) -> tuple[SessionRecord, ParticipantRecord] | Outcome:
        url = service.out_of_session_callback_url
        if not url:
            return "no-session"
        answer = await self._sender.post(
            "out_of_session", url, self._out_of_session_fields(service, kind, from_, to, body)
        )
        request = _auto_create_request(answer)
        if request is None:
            # TwiML, an error status or no answer: Twilio ends the flow there.
            return "no-session"
        form, other = request
        participants = [
            json.dumps({"Identifier": from_, "ProxyIdentifier": to}),
            json.dumps(other),
        ]
        try:
            session = open_session(
                self._store,
                service,
                Form([*form, *((_PARTICIPANTS.wire, raw) for raw in participants)]),
            )
        except ApiError:
            return "session-refused"
        sender = next(p for p in session.participants if p.identifier == from_)
        return session, sender

    def _out_of_session_fields(
        self, service: ServiceRecord, kind: Kind, from_: str, to: str, body: str | None
    ) -> list[tuple[str, str]]:
        store = self._store
        account = store.site.account_sid
        fields = [
            ("AccountSid", account),
            ("ApiVersion", "2010-04-01"),
            ("From", from_),
            ("To", to),
        ]
        if kind == "message":
            message_sid = store.sids.new("SM")
            fields += [
                ("MessageSid", message_sid),
                ("SmsSid", message_sid),
                ("SmsMessageSid", message_sid),
                ("SmsStatus", "received"),
                ("Body", body or ""),
                ("NumMedia", "0"),
                ("NumSegments", "1"),
            ]
        else:
            fields += [
                ("CallSid", store.sids.new("CA")),
                ("CallStatus", "ringing"),
                ("Direction", "inbound"),
                ("Caller", from_),
                ("Called", to),
            ]
        previous = self._sessions_of(service, from_, to)
        if previous:
            session, participant = previous[-1]
            fields += [
                ("sessionAccountSid", account),
                ("sessionClosedReason", _text(session.closed_reason)),
                ("sessionDateCreated", session.date_created),
                ("sessionDateEnded", _text(session.date_ended)),
                ("sessionDateUpdated", session.date_updated),
                ("sessionMode", session.mode),
                ("sessionServiceSid", session.service_sid),
                ("sessionSid", session.sid),
                ("sessionStatus", session.status),
                ("sessionUniqueName", _text(session.unique_name)),
                *_participant_fields("inboundParticipant", participant, account),
            ]
            other = _other(session, participant)
            if other is not None:
                fields += _participant_fields("outboundParticipant", other, account)
        return fields

    async def _interact(
        self,
        service: ServiceRecord,
        session: SessionRecord,
        sender: ParticipantRecord,
        kind: Kind,
        body: str | None,
    ) -> SimulationResult:
        store = self._store
        now = store.now()
        message = kind == "message"
        steps = _MESSAGE_STEPS if message else _CALL_STEPS
        interaction = InteractionRecord(
            seq=store.next_seq(),
            sid=store.sids.new(INTERACTIONS.prefix),
            date_created=now,
            date_updated=now,
            service_sid=service.sid,
            session_sid=session.sid,
            participant_sid=None,
            data=message_data(body, []) if message else None,
            type="message" if message else "voice",
            inbound_participant_sid=sender.sid,
            inbound_resource_sid=store.sids.new("SM" if message else "CA"),
            inbound_resource_status=steps[0][0],
            inbound_resource_type="Message" if message else "Call",
            outbound_participant_sid=None,
            outbound_resource_sid=None,
            outbound_resource_status=None,
            outbound_resource_type=None,
        )
        store.add_interaction(session, None, interaction)
        if service.intercept_callback_url:
            answer = await self._sender.post(
                "intercept", service.intercept_callback_url, self._fields(interaction, False)
            )
            if answer.status == 403:
                return SimulationResult("blocked", interaction)
        other = _other(session, sender)
        if other is None:
            return SimulationResult("undeliverable", interaction)
        interaction.outbound_participant_sid = other.sid
        interaction.outbound_resource_sid = store.sids.new("SM" if message else "CA")
        interaction.outbound_resource_type = interaction.inbound_resource_type
        delivery = Delivery(
            kind=kind,
            from_=other.proxy_identifier,
            to=other.identifier,
            body=body if message else None,
            session_sid=session.sid,
            interaction_sid=interaction.sid,
            participant_sid=other.sid,
        )
        self._delivered.append(delivery)
        mark_interaction(session, now)
        for inbound_status, outbound_status in steps:
            interaction.inbound_resource_status = inbound_status
            interaction.outbound_resource_status = outbound_status
            interaction.date_updated = max(store.now(), interaction.date_updated)
            interaction.changed()
            if service.callback_url:
                await self._sender.post(
                    "callback", service.callback_url, self._fields(interaction, True)
                )
        return SimulationResult("delivered", interaction, delivery)

    def _fields(self, interaction: InteractionRecord, outbound: bool) -> list[tuple[str, str]]:
        """Proxy's own camelCase fields; the intercept callback has no outbound leg yet."""
        fields = [
            ("inboundParticipantSid", _text(interaction.inbound_participant_sid)),
            ("inboundResourceSid", _text(interaction.inbound_resource_sid)),
            ("inboundResourceStatus", _text(interaction.inbound_resource_status)),
            ("inboundResourceType", _text(interaction.inbound_resource_type).lower()),
            ("inboundResourceUrl", ""),
            ("interactionAccountSid", self._store.site.account_sid),
            ("interactionData", _text(interaction.data)),
            ("interactionDateCreated", interaction.date_created),
            ("interactionDateUpdated", interaction.date_updated),
            ("interactionServiceSid", interaction.service_sid),
            ("interactionSessionSid", interaction.session_sid),
            ("interactionSid", interaction.sid),
            ("interactionType", interaction.type.capitalize()),
        ]
        if outbound:
            fields += [
                ("outboundParticipantSid", _text(interaction.outbound_participant_sid)),
                ("outboundResourceSid", _text(interaction.outbound_resource_sid)),
                ("outboundResourceStatus", _text(interaction.outbound_resource_status)),
                ("outboundResourceType", _text(interaction.outbound_resource_type).lower()),
                ("outboundResourceUrl", ""),
            ]
        return fields


def _other(session: SessionRecord, participant: ParticipantRecord) -> ParticipantRecord | None:
    return next(
        (p for p in session.participants if p.sid != participant.sid and p.date_deleted is None),
        None,
    )


def _auto_create_request(
    answer: CallbackAnswer,
) -> tuple[list[tuple[str, str]], dict[str, str]] | None:
    """The CreateSession form and the second participant an auto-create JSON answer asks for;
    None for anything else (TwiML, an error, no answer, JSON without participantIdentifier)."""
    if not answer.ok or answer.content_type != "application/json":
        return None
    try:
        data = json.loads(answer.body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("participantIdentifier"), str):
        return None
    form = [
        (name, str(data[key]))
        for key, name in _AUTO_CREATE_FIELDS.items()
        if data.get(key) is not None
    ]
    other = {"Identifier": data["participantIdentifier"]}
    proxy = data.get("participantProxyIdentifier")
    if isinstance(proxy, str):
        other["ProxyIdentifier"] = proxy
    return form, other
