"""Handlers for Proxy Sessions, Participants, Interactions and MessageInteractions."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import attrs

from .._table import (
    INTERACTIONS,
    MESSAGE_INTERACTIONS,
    PARTICIPANTS,
    PHONE_NUMBERS,
    SESSION_PARTICIPANT,
    SESSIONS,
    Verb,
)
from ._api_services import Handler, service_from_path
from ._errors import (
    DUPLICATE_PARTICIPANT,
    NON_UNIQUE_SESSION_NAME,
    ApiError,
    ApiRequest,
    Reply,
    invalid,
    not_found,
)
from ._forms import Form, is_sid, parse_timestamp
from ._records import (
    MAX_PARTICIPANTS,
    InteractionRecord,
    ParticipantRecord,
    PhoneNumberRecord,
    ServiceRecord,
    SessionRecord,
)
from ._store import Store, later_than

_UNIQUE_NAME = SESSIONS.field("unique_name")
_DATE_EXPIRY = SESSIONS.field("date_expiry")
_TTL = SESSIONS.field("ttl")
_MODE = SESSIONS.field("mode")
_STATUS = SESSIONS.field("status")
_PARTICIPANTS = SESSIONS.field("participants")
_BODY = MESSAGE_INTERACTIONS.field("body")
_MEDIA_URL = MESSAGE_INTERACTIONS.field("media_url")


@attrs.frozen
class _ParticipantPlan:
    identifier: str
    friendly_name: str | None
    number: PhoneNumberRecord


def _session_from_path(store: Store, request: ApiRequest) -> tuple[ServiceRecord, SessionRecord]:
    service = service_from_path(store, request, request.params[0])
    value = request.params[1]
    session = service.sessions.get(value) if is_sid(SESSIONS.prefix, value) else None
    if session is None:
        raise not_found(request.path)
    return service, session


def _participant_from_path(
    store: Store, request: ApiRequest
) -> tuple[ServiceRecord, SessionRecord, ParticipantRecord]:
    service, session = _session_from_path(store, request)
    value = request.params[2]
    participant = session.participants.get(value) if is_sid(PARTICIPANTS.prefix, value) else None
    if participant is None:
        raise not_found(request.path)
    return service, session, participant


def _pick_number(
    service: ServiceRecord, taken: set[str], proxy_identifier: str | None, proxy_sid: str | None
) -> PhoneNumberRecord:
    """Explicit numbers must be in the pool; otherwise the least busy unreserved one wins,
    preferring one the other participant of the session does not already use."""
    if proxy_sid is not None:
        chosen = service.phone_numbers.get(proxy_sid)
        if chosen is None:
            raise invalid(f"ProxyIdentifierSid {proxy_sid} is not in Service {service.sid}")
        return chosen
    if proxy_identifier is not None:
        for number in service.phone_numbers:
            if number.phone_number == proxy_identifier:
                return number
        raise invalid(f"ProxyIdentifier {proxy_identifier} is not in Service {service.sid}")
    pool = [n for n in service.phone_numbers if not n.is_reserved]
    if not pool:
        raise invalid(
            f"Service {service.sid} has no available proxy numbers; add a Phone Number first"
        )
    return min(pool, key=lambda n: (n.sid in taken, n.in_use))


def _plan_participants(
    service: ServiceRecord, session: SessionRecord | None, specs: Sequence[Mapping[str, str | None]]
) -> list[_ParticipantPlan]:
    existing = list(session.participants) if session is not None else []
    active = [p for p in existing if p.date_deleted is None]
    if len(active) + len(specs) > MAX_PARTICIPANTS:
        raise invalid(f"A Session can have at most {MAX_PARTICIPANTS} Participants")
    # A removed participant still holds its identifier: it cannot be added back.
    identifiers = {p.identifier for p in existing}
    taken = {p.proxy_identifier_sid for p in active}
    plans = []
    for spec in specs:
        identifier = spec["identifier"]
        if not identifier:
            raise invalid("Missing required parameter Identifier in the post body")
        if identifier in identifiers:
            raise ApiError(409, DUPLICATE_PARTICIPANT, f"Participant {identifier} already exists")
        proxy_sid = spec["proxy_identifier_sid"]
        if proxy_sid is not None and not is_sid(PHONE_NUMBERS.prefix, proxy_sid):
            raise invalid(f"ProxyIdentifierSid is not a valid SID: {proxy_sid!r}")
        number = _pick_number(service, taken, spec["proxy_identifier"], proxy_sid)
        identifiers.add(identifier)
        taken.add(number.sid)
        plans.append(_ParticipantPlan(identifier, spec["friendly_name"], number))
    return plans


def _add_participants(
    store: Store, service: ServiceRecord, session: SessionRecord, plans: list[_ParticipantPlan]
) -> list[ParticipantRecord]:
    now = store.now()
    added = []
    for plan in plans:
        participant = ParticipantRecord(
            seq=store.next_seq(),
            sid=store.sids.new(PARTICIPANTS.prefix),
            date_created=now,
            date_updated=now,
            service_sid=service.sid,
            session_sid=session.sid,
            identifier=plan.identifier,
            friendly_name=plan.friendly_name,
            proxy_identifier=plan.number.phone_number,
            proxy_identifier_sid=plan.number.sid,
        )
        store.add_participant(service, session, participant)
        added.append(participant)
    return added


def _participant_spec(raw: str) -> dict[str, str | None]:
    """One ``Participants`` form value: a JSON object in Twilio's or snake_case keys."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        # A value nested thousands deep exhausts the parser's stack: bad input all the same.
        raise invalid("Participants entries must be JSON objects") from None
    if not isinstance(data, dict):
        raise invalid("Participants entries must be JSON objects")
    spec: dict[str, str | None] = {}
    for field in SESSION_PARTICIPANT:
        spellings = (field.wire, field.name)
        value = next((data[s] for s in spellings if data.get(s) is not None), None)
        spec[field.name] = None if value is None else str(value)
    return spec


def _ttl(form: Form) -> int | None:
    ttl = form.integer(_TTL)
    if ttl is not None and ttl < 0:
        raise invalid(f"{_TTL.wire} must be 0 or greater")
    return ttl


def _session_status_fields(session: SessionRecord, status: str, now: str) -> None:
    session.status = status
    session.date_ended = now if status in ("closed", "failed") else None


# --- Sessions ------------------------------------------------------------------------


def list_sessions(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    return store.list_reply(request, SESSIONS, service.sessions)


def create_session(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    session = open_session(store, service, Form(request.form))
    return Reply(201, session.payload(store.site))


def open_session(store: Store, service: ServiceRecord, form: Form) -> SessionRecord:
    """A new Session from CreateSession's form fields: the REST API's and, through the same
    checks, an out-of-session callback's auto-create answer."""
    unique_name = form.text(_UNIQUE_NAME)
    if unique_name is not None and unique_name in service.session_names:
        raise ApiError(
            409, NON_UNIQUE_SESSION_NAME, f"Session UniqueName {unique_name!r} already exists"
        )
    date_expiry = form.timestamp(_DATE_EXPIRY)
    ttl = _ttl(form)
    mode = form.choice(_MODE) or "voice-and-message"
    status = form.choice(_STATUS) or "open"
    specs = [_participant_spec(raw) for raw in form.getall(_PARTICIPANTS)]
    plans = _plan_participants(service, None, specs)
    now = store.now()
    session = SessionRecord(
        seq=store.next_seq(),
        sid=store.sids.new(SESSIONS.prefix),
        date_created=now,
        date_updated=now,
        service_sid=service.sid,
        unique_name=unique_name,
        status=status,
        mode=mode,
        ttl=service.default_ttl if ttl is None else ttl,
        date_expiry=date_expiry,
    )
    _session_status_fields(session, status, now)
    store.add_session(service, session)
    _add_participants(store, service, session, plans)
    return session


def fetch_session(store: Store, request: ApiRequest) -> Reply:
    service = service_from_path(store, request, request.params[0])
    session = store.find_session(service, request.params[1])
    if session is None:
        raise not_found(request.path)
    return Reply(200, session.payload(store.site))


def update_session(store: Store, request: ApiRequest) -> Reply:
    _, session = _session_from_path(store, request)
    form = Form(request.form)
    date_expiry = form.text(_DATE_EXPIRY)
    ttl = _ttl(form)
    status = form.choice(_STATUS)
    if date_expiry is not None:
        session.date_expiry = (
            parse_timestamp(_DATE_EXPIRY.wire, date_expiry) if date_expiry else None
        )
    if ttl is not None:
        session.ttl = ttl
    session.date_updated = later_than(session.date_updated)
    if status is not None:
        _session_status_fields(session, status, session.date_updated)
    session.changed()
    return Reply(200, session.payload(store.site))


def delete_session(store: Store, request: ApiRequest) -> Reply:
    service, session = _session_from_path(store, request)
    store.delete_session(service, session)
    return Reply(204)


# --- Participants --------------------------------------------------------------------


def list_participants(store: Store, request: ApiRequest) -> Reply:
    _, session = _session_from_path(store, request)
    return store.list_reply(request, PARTICIPANTS, session.participants)


def create_participant(store: Store, request: ApiRequest) -> Reply:
    service, session = _session_from_path(store, request)
    form = Form(request.form)
    spec: dict[str, str | None] = {
        field.name: form.required(field) if field.required else form.text(field)
        for field in PARTICIPANTS.create
    }
    plans = _plan_participants(service, session, [spec])
    (participant,) = _add_participants(store, service, session, plans)
    return Reply(201, participant.payload(store.site))


def fetch_participant(store: Store, request: ApiRequest) -> Reply:
    _, _, participant = _participant_from_path(store, request)
    return Reply(200, participant.payload(store.site))


def delete_participant(store: Store, request: ApiRequest) -> Reply:
    service, _, participant = _participant_from_path(store, request)
    store.remove_participant(service, participant)
    return Reply(200)


# --- Interactions and MessageInteractions --------------------------------------------


def _interaction_from_path(
    store: Store, request: ApiRequest
) -> tuple[SessionRecord, InteractionRecord]:
    _, session = _session_from_path(store, request)
    value = request.params[2]
    interaction = session.interactions.get(value) if is_sid(INTERACTIONS.prefix, value) else None
    if interaction is None:
        raise not_found(request.path)
    return session, interaction


def list_interactions(store: Store, request: ApiRequest) -> Reply:
    _, session = _session_from_path(store, request)
    return store.list_reply(request, INTERACTIONS, session.interactions)


def fetch_interaction(store: Store, request: ApiRequest) -> Reply:
    _, interaction = _interaction_from_path(store, request)
    return Reply(200, interaction.payload(store.site))


def delete_interaction(store: Store, request: ApiRequest) -> Reply:
    session, interaction = _interaction_from_path(store, request)
    store.delete_interaction(session, interaction)
    return Reply(204)


def list_message_interactions(store: Store, request: ApiRequest) -> Reply:
    _, _, participant = _participant_from_path(store, request)
    return store.list_reply(
        request,
        MESSAGE_INTERACTIONS,
        participant.message_interactions,
        render=lambda r: r.message_payload(store.site),
    )


def message_data(body: str | None, media_urls: list[str]) -> str:
    data: dict[str, str | list[str]] = {"body": body or ""}
    if media_urls:
        data["media_urls"] = media_urls
    return json.dumps(data, separators=(",", ":"))


def create_message_interaction(store: Store, request: ApiRequest) -> Reply:
    service, session, participant = _participant_from_path(store, request)
    form = Form(request.form)
    body = form.text(_BODY)
    media_urls = form.getall(_MEDIA_URL)
    if not body and not media_urls:
        raise invalid(
            f"Missing required parameter {_BODY.wire} or {_MEDIA_URL.wire} in the post body"
        )
    now = store.now()
    interaction = InteractionRecord(
        seq=store.next_seq(),
        sid=store.sids.new(MESSAGE_INTERACTIONS.prefix),
        date_created=now,
        date_updated=now,
        service_sid=service.sid,
        session_sid=session.sid,
        participant_sid=participant.sid,
        data=message_data(body, media_urls),
        type="message",
        inbound_participant_sid=None,
        inbound_resource_sid=None,
        inbound_resource_status=None,
        inbound_resource_type=None,
        outbound_participant_sid=participant.sid,
        outbound_resource_sid=store.sids.new("SM"),
        outbound_resource_status="sent",
        outbound_resource_type="Message",
    )
    store.add_interaction(session, participant, interaction)
    mark_interaction(session, now)
    return Reply(200, interaction.message_payload(store.site))


def mark_interaction(session: SessionRecord, now: str) -> None:
    """An interaction moves an open session to in-progress and stamps it."""
    session.date_last_interaction = now
    if session.status == "open":
        session.status = "in-progress"
    session.date_updated = max(now, session.date_updated)
    session.changed()


def fetch_message_interaction(store: Store, request: ApiRequest) -> Reply:
    _, _, participant = _participant_from_path(store, request)
    value = request.params[3]
    found = participant.message_interactions.get(value)
    interaction = found if is_sid(MESSAGE_INTERACTIONS.prefix, value) else None
    if interaction is None:
        raise not_found(request.path)
    return Reply(200, interaction.message_payload(store.site))


HANDLERS: Mapping[tuple[str, Verb], Handler] = {
    (SESSIONS.name, Verb.CREATE): create_session,
    (SESSIONS.name, Verb.FETCH): fetch_session,
    (SESSIONS.name, Verb.UPDATE): update_session,
    (SESSIONS.name, Verb.DELETE): delete_session,
    (SESSIONS.name, Verb.LIST): list_sessions,
    (PARTICIPANTS.name, Verb.CREATE): create_participant,
    (PARTICIPANTS.name, Verb.FETCH): fetch_participant,
    (PARTICIPANTS.name, Verb.DELETE): delete_participant,
    (PARTICIPANTS.name, Verb.LIST): list_participants,
    (INTERACTIONS.name, Verb.FETCH): fetch_interaction,
    (INTERACTIONS.name, Verb.DELETE): delete_interaction,
    (INTERACTIONS.name, Verb.LIST): list_interactions,
    (MESSAGE_INTERACTIONS.name, Verb.CREATE): create_message_interaction,
    (MESSAGE_INTERACTIONS.name, Verb.FETCH): fetch_message_interaction,
    (MESSAGE_INTERACTIONS.name, Verb.LIST): list_message_interactions,
}
