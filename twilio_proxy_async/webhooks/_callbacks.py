"""The three callbacks a Proxy Service sends, as frozen models read from the posted form.

Field names are Twilio's (https://www.twilio.com/docs/proxy/api/webhooks): Proxy's own are
camelCase (``interactionSid``), the inbound message or call fields of the out-of-session
callback PascalCase (``From``, ``CallSid``). Attributes are their snake_case forms. Typed like
the REST models: SIDs checked, datetimes aware UTC, enums tolerant (an unknown value is kept as
its string), an empty value read as absent, ``interactionData`` kept raw. A field this version
does not know is kept, as received, in ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple, Self, TypeVar

import attrs

from .._converter import parse_datetime
from ..models._common import sid_field, sid_pattern
from ..models.interaction import (
    InteractionResourceStatus,
    InteractionType,
    check_resource_sid,
    decode_data,
)
from ..models.participant import Participant
from ..models.session import Session, SessionMode, SessionStatus

__all__ = ["InteractionCallback", "InterceptCallback", "OutOfSessionCallback"]

Form = Mapping[str, str | Sequence[str]]
Extra = Mapping[str, str | tuple[str, ...]]

T = TypeVar("T")

_RESOURCE_SID = re.compile(r"[a-zA-Z]{2}[0-9a-fA-F]{32}")
_COUNT = re.compile(r"[0-9]{1,9}")


class _Field(NamedTuple):
    form_name: str
    attribute: str
    parse: Callable[[str, str], object]


def _text(_: str, value: str) -> object:
    return value


def _sid(prefix: str) -> Callable[[str, str], object]:
    pattern = sid_pattern(prefix)

    def parse(name: str, value: str) -> object:
        if not pattern.fullmatch(value):
            raise ValueError(f"{name} must be a {prefix} SID, got {value[:40]!r}")
        return value

    return parse


def _resource_sid(name: str, value: str) -> object:
    if not _RESOURCE_SID.fullmatch(value):
        raise ValueError(f"{name} must be a SID (two letters, 32 hex digits), got {value[:40]!r}")
    return value


def _datetime(name: str, value: str) -> object:
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError):
        raise ValueError(f"{name} is not an ISO 8601 date-time: {value[:40]!r}") from None


def _count(name: str, value: str) -> object:
    if not _COUNT.fullmatch(value):
        raise ValueError(f"{name} must be a count, got {value[:40]!r}")
    return int(value)


def _enum(kind: type[Enum]) -> Callable[[str, str], object]:
    # Twilio's own example writes interactionType as "Voice" where the REST API says "voice".
    members = {str(member.value).lower(): member for member in kind}

    def parse(_: str, value: str) -> object:
        return members.get(value.lower(), value)

    return parse


def _fields(parse_by_name: Mapping[str, Callable[[str, str], object]]) -> tuple[_Field, ...]:
    """Fields named in camelCase or PascalCase, each held by its snake_case attribute."""
    made = []
    for form_name, parse in parse_by_name.items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", form_name).lower()
        made.append(_Field(form_name, "from_" if snake == "from" else snake, parse))
    return tuple(made)


_INBOUND = {
    "interactionSid": _sid("KI"),
    "interactionSessionSid": _sid("KC"),
    "interactionServiceSid": _sid("KS"),
    "interactionAccountSid": _sid("AC"),
    "interactionData": _text,
    "interactionType": _enum(InteractionType),
    "interactionDateCreated": _datetime,
    "interactionDateUpdated": _datetime,
    "inboundParticipantSid": _sid("KP"),
    "inboundResourceSid": _resource_sid,
    "inboundResourceStatus": _enum(InteractionResourceStatus),
    "inboundResourceType": _text,
    "inboundResourceUrl": _text,
}
_OUTBOUND = {
    "outboundParticipantSid": _sid("KP"),
    "outboundResourceSid": _resource_sid,
    "outboundResourceStatus": _enum(InteractionResourceStatus),
    "outboundResourceType": _text,
    "outboundResourceUrl": _text,
}
_INTERCEPT_FIELDS = _fields(_INBOUND)
_INTERACTION_FIELDS = _fields({**_INBOUND, **_OUTBOUND})

_PLACES = ("City", "State", "Zip", "Country")
_OUT_OF_SESSION_FIELDS = _fields(
    {
        "AccountSid": _sid("AC"),
        "ApiVersion": _text,
        "From": _text,
        "To": _text,
        "Caller": _text,
        "Called": _text,
        "Direction": _text,
        "CallSid": _sid("CA"),
        "CallStatus": _text,
        "MessageSid": _resource_sid,
        "SmsSid": _resource_sid,
        "SmsMessageSid": _resource_sid,
        "SmsStatus": _text,
        "Body": _text,
        "NumMedia": _count,
        "NumSegments": _count,
        "AddOns": _text,
        **{
            f"{who}{place}": _text
            for who in ("From", "To", "Caller", "Called")
            for place in _PLACES
        },
    }
)
# The previous Session and its Participants, when Proxy knows one: read into the REST models.
_SESSION_FIELDS = tuple(
    _Field("session" + name, attribute, parse)
    for name, attribute, parse in [
        ("Sid", "sid", _sid("KC")),
        ("AccountSid", "account_sid", _sid("AC")),
        ("ServiceSid", "service_sid", _sid("KS")),
        ("UniqueName", "unique_name", _text),
        ("Status", "status", _enum(SessionStatus)),
        ("Mode", "mode", _enum(SessionMode)),
        ("ClosedReason", "closed_reason", _text),
        ("DateCreated", "date_created", _datetime),
        ("DateUpdated", "date_updated", _datetime),
        ("DateEnded", "date_ended", _datetime),
    ]
)


def _participant_fields(leg: str) -> tuple[_Field, ...]:
    return tuple(
        _Field(f"{leg}Participant{name}", attribute, parse)
        for name, attribute, parse in [
            ("Sid", "sid", _sid("KP")),
            ("AccountSid", "account_sid", _sid("AC")),
            ("ServiceSid", "service_sid", _sid("KS")),
            ("SessionSid", "session_sid", _sid("KC")),
            ("FriendlyName", "friendly_name", _text),
            ("Identifier", "identifier", _text),
            ("ProxyIdentifier", "proxy_identifier", _text),
            ("ProxyIdentifierSid", "proxy_identifier_sid", _sid("PN")),
            ("DateCreated", "date_created", _datetime),
            ("DateUpdated", "date_updated", _datetime),
        ]
    )


_INBOUND_PARTICIPANT_FIELDS = _participant_fields("inbound")
_OUTBOUND_PARTICIPANT_FIELDS = _participant_fields("outbound")


def _normalized(form: Form) -> dict[str, tuple[str, ...]]:
    """Every field's values, in order, whatever mapping the framework handed out."""
    if not isinstance(form, Mapping):
        raise TypeError(f"form must be a mapping of field names to text, got {type(form).__name__}")
    # aiohttp's multidict offers getall(), Starlette's and Werkzeug's getlist().
    getall = getattr(form, "getall", None) or getattr(form, "getlist", None)
    fields: dict[str, tuple[str, ...]] = {}
    for name in dict.fromkeys(form):
        raw = getall(name) if callable(getall) else form[name]
        values = (
            (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, Sequence) else (raw,)
        )
        if type(name) is not str or not all(type(value) is str for value in values):
            raise TypeError(f"form field {name!r} must have text values (an upload is not)")
        fields[name] = values
    return fields


def _take(fields: dict[str, tuple[str, ...]], table: tuple[_Field, ...]) -> dict[str, Any]:
    """The typed values of ``table``'s fields, removed from ``fields``; absent ones left out."""
    values: dict[str, Any] = {}
    for field in table:
        received = fields.pop(field.form_name, None)
        if not received:
            continue
        if len(set(received)) > 1:
            raise ValueError(f"{field.form_name} was sent {len(received)} times, with other values")
        if received[0]:
            values[field.attribute] = field.parse(field.form_name, received[0])
    return values


def _extra(fields: dict[str, tuple[str, ...]]) -> dict[str, str | tuple[str, ...]]:
    return {name: values[0] if len(values) == 1 else values for name, values in fields.items()}


def _require_interaction_sid(values: dict[str, Any]) -> None:
    if "interaction_sid" not in values:
        raise ValueError("interactionSid is missing: not a Proxy interaction callback")


def _nested(kind: Callable[..., T], values: dict[str, Any], sid_name: str) -> T | None:
    if not values:
        return None
    if "sid" not in values:
        raise ValueError(f"{sid_name} is missing, though other fields of it were sent")
    return kind(**values)


@attrs.frozen(kw_only=True)
class _InteractionFields:
    interaction_sid: str = sid_field("KI", required=True)
    interaction_session_sid: str | None = sid_field("KC")
    interaction_service_sid: str | None = sid_field("KS")
    interaction_account_sid: str | None = sid_field("AC")
    interaction_data: str | None = None
    interaction_type: InteractionType | str | None = None
    interaction_date_created: datetime | None = None
    interaction_date_updated: datetime | None = None
    inbound_participant_sid: str | None = sid_field("KP")
    inbound_resource_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    inbound_resource_status: InteractionResourceStatus | str | None = None
    inbound_resource_type: str | None = None
    inbound_resource_url: str | None = None

    def data_json(self) -> object:
        """``interaction_data`` decoded (e.g. ``{"body": "hi"}`` for a message); None when
        absent, ValueError when it is not JSON."""
        try:
            return decode_data(self.interaction_sid, self.interaction_data)
        except RecursionError:
            raise ValueError(
                f"the data of interaction {self.interaction_sid} is nested too deeply"
            ) from None


@attrs.frozen(kw_only=True)
class InterceptCallback(_InteractionFields):
    """``intercept_callback_url``: sent before each interaction; a 403 answer blocks it, any
    other answer (or none in time) lets it through. Carries the inbound leg only.

    Attributes:
        interaction_sid: the Interaction's SID, ``KI`` followed by 32 hex digits (always sent).
        interaction_session_sid: the Session (``KC...``) the Interaction belongs to.
        interaction_service_sid: the Proxy Service (``KS...``) of that Session.
        interaction_account_sid: the Account (``AC...``) that owns it.
        interaction_data: the Interaction's data as the JSON text Twilio sent (e.g. the message
            body); :meth:`data_json` decodes it.
        interaction_type: ``message``, ``voice`` or ``unknown``, an ``InteractionType`` when known.
        interaction_date_created: when Twilio created the Interaction, an aware UTC datetime.
        interaction_date_updated: when Twilio last updated the Interaction, an aware UTC datetime.
        inbound_participant_sid: the Participant (``KP...``) who sent the message or placed
            the call.
        inbound_resource_sid: the SID of the inbound leg's resource (a Message ``SM...``/``MM...``
            or a Call ``CA...``).
        inbound_resource_status: the inbound leg's status (e.g. ``received``, ``in-progress``),
            an ``InteractionResourceStatus`` when known.
        inbound_resource_type: the inbound leg's resource kind (``Message`` or ``Call``).
        inbound_resource_url: the API URL of the inbound leg's resource.
        extra: every field Twilio sent that has no attribute here, by its wire name (a tuple when
            repeated); nothing is dropped.
    """

    # Out of the hash (a dict is unhashable); equal callbacks still hash equal.
    extra: Extra = attrs.field(factory=dict, hash=False)

    @classmethod
    def from_form(cls, form: Form) -> Self:
        """The callback in ``form`` (a mapping of field -> str or list of str, or the
        multidict ``request.post()``/``request.form()`` returns). ValueError on a bad value.

        Args:
            form: the callback's form fields: a mapping of wire name (``InteractionSid``) to
                a str or list of str, or the multidict ``request.post()``/``request.form()``
                returns.
        """
        fields = _normalized(form)
        values = _take(fields, _INTERCEPT_FIELDS)
        _require_interaction_sid(values)
        return cls(**values, extra=_extra(fields))


@attrs.frozen(kw_only=True)
class InteractionCallback(_InteractionFields):
    """``callback_url``: an interaction's status events (informational), both legs.

    Attributes:
        interaction_sid: the Interaction's SID, ``KI`` followed by 32 hex digits (always sent).
        interaction_session_sid: the Session (``KC...``) the Interaction belongs to.
        interaction_service_sid: the Proxy Service (``KS...``) of that Session.
        interaction_account_sid: the Account (``AC...``) that owns it.
        interaction_data: the Interaction's data as the JSON text Twilio sent (e.g. the message
            body); :meth:`data_json` decodes it.
        interaction_type: ``message``, ``voice`` or ``unknown``, an ``InteractionType`` when known.
        interaction_date_created: when Twilio created the Interaction, an aware UTC datetime.
        interaction_date_updated: when Twilio last updated the Interaction, an aware UTC datetime.
        inbound_participant_sid: the Participant (``KP...``) who sent the message or placed
            the call.
        inbound_resource_sid: the SID of the inbound leg's resource (a Message ``SM...``/``MM...``
            or a Call ``CA...``).
        inbound_resource_status: the inbound leg's status (e.g. ``received``, ``in-progress``),
            an ``InteractionResourceStatus`` when known.
        inbound_resource_type: the inbound leg's resource kind (``Message`` or ``Call``).
        inbound_resource_url: the API URL of the inbound leg's resource.
        outbound_participant_sid: the Participant (``KP...``) the message or call was relayed to.
        outbound_resource_sid: the SID of the outbound leg's resource (a Message or a Call).
        outbound_resource_status: the outbound leg's status (e.g. ``sent``, ``delivered``,
            ``completed``), an ``InteractionResourceStatus`` when known.
        outbound_resource_type: the outbound leg's resource kind (``Message`` or ``Call``).
        outbound_resource_url: the API URL of the outbound leg's resource.
        extra: every field Twilio sent that has no attribute here, by its wire name (a tuple when
            repeated); nothing is dropped.
    """

    outbound_participant_sid: str | None = sid_field("KP")
    outbound_resource_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    outbound_resource_status: InteractionResourceStatus | str | None = None
    outbound_resource_type: str | None = None
    outbound_resource_url: str | None = None
    # Out of the hash (a dict is unhashable); equal callbacks still hash equal.
    extra: Extra = attrs.field(factory=dict, hash=False)

    @classmethod
    def from_form(cls, form: Form) -> Self:
        """The callback in ``form`` (see :meth:`InterceptCallback.from_form`).

        Args:
            form: the callback's form fields: a mapping of wire name (``InteractionSid``) to
                a str or list of str, or the multidict ``request.post()``/``request.form()``
                returns.
        """
        fields = _normalized(form)
        values = _take(fields, _INTERACTION_FIELDS)
        _require_interaction_sid(values)
        return cls(**values, extra=_extra(fields))


@attrs.frozen(kw_only=True)
class OutOfSessionCallback:
    """``out_of_session_callback_url``: a message or call reached a proxy number with no open
    Session for its sender. Twilio's inbound message or call fields, plus the previous Session
    and its Participants when Proxy knows one. Answer it with :func:`auto_create_session` or
    :func:`twiml_answer`.

    Attributes:
        account_sid: the Account (``AC...``) the message or call came in on (``AccountSid``).
        api_version: the Twilio API version of the inbound request, e.g. ``2010-04-01``.
        from_: the sender's address (``From``), an E.164 phone number for SMS and calls.
        to: the proxy number reached (``To``), in E.164.
        caller: a call's caller (``Caller``), usually the same as ``from_``; None for messages.
        called: a call's called number (``Called``), usually the same as ``to``.
        direction: a call's direction as Twilio reports it, e.g. ``inbound``.
        call_sid: the inbound Call's SID (``CA...``); set for calls only (see ``is_call``).
        call_status: the inbound Call's status, e.g. ``ringing``.
        message_sid: the inbound Message's SID (``SM...`` or ``MM...``); set for messages.
        sms_sid: the same Message SID under its older name ``SmsSid``.
        sms_message_sid: the same Message SID under its older name ``SmsMessageSid``.
        sms_status: the inbound Message's status, e.g. ``received``.
        body: the message text (``Body``); None for calls.
        num_media: how many media files the message carries (``NumMedia``), 0 or more.
        num_segments: how many SMS segments the message arrived in (``NumSegments``).
        add_ons: the JSON results of any Marketplace Add-ons run on the message (``AddOns``).
        from_city: the sender's city as Twilio's number lookup guesses it, when known.
        from_state: the sender's state or province, when Twilio knows it.
        from_zip: the sender's postal code, when Twilio knows it.
        from_country: the sender's country, an ISO 3166-1 alpha-2 code (e.g. ``US``).
        to_city: the proxy number's city, when Twilio knows it.
        to_state: the proxy number's state or province, when Twilio knows it.
        to_zip: the proxy number's postal code, when Twilio knows it.
        to_country: the proxy number's country, an ISO 3166-1 alpha-2 code.
        caller_city: the caller's city (calls), when Twilio knows it.
        caller_state: the caller's state or province (calls), when Twilio knows it.
        caller_zip: the caller's postal code (calls), when Twilio knows it.
        caller_country: the caller's country (calls), an ISO 3166-1 alpha-2 code.
        called_city: the called number's city (calls), when Twilio knows it.
        called_state: the called number's state or province (calls), when known.
        called_zip: the called number's postal code (calls), when Twilio knows it.
        called_country: the called number's country (calls), an ISO 3166-1 alpha-2 code.
        session: the sender's previous (closed) Session, when Proxy knows one; else None.
        inbound_participant: the sender as a Participant of that Session, when Proxy sent it.
        outbound_participant: the other Participant of that Session, when Proxy sent it.
        extra: every field Twilio sent that has no attribute here, by its wire name (a tuple when
            repeated); nothing is dropped.
    """

    account_sid: str | None = sid_field("AC")
    api_version: str | None = None
    from_: str | None = None
    to: str | None = None
    caller: str | None = None
    called: str | None = None
    direction: str | None = None
    call_sid: str | None = sid_field("CA")
    call_status: str | None = None
    message_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    sms_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    sms_message_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    sms_status: str | None = None
    body: str | None = None
    num_media: int | None = None
    num_segments: int | None = None
    add_ons: str | None = None
    from_city: str | None = None
    from_state: str | None = None
    from_zip: str | None = None
    from_country: str | None = None
    to_city: str | None = None
    to_state: str | None = None
    to_zip: str | None = None
    to_country: str | None = None
    caller_city: str | None = None
    caller_state: str | None = None
    caller_zip: str | None = None
    caller_country: str | None = None
    called_city: str | None = None
    called_state: str | None = None
    called_zip: str | None = None
    called_country: str | None = None
    session: Session | None = None
    inbound_participant: Participant | None = None
    outbound_participant: Participant | None = None
    # Out of the hash (a dict is unhashable); equal callbacks still hash equal.
    extra: Extra = attrs.field(factory=dict, hash=False)

    @property
    def is_call(self) -> bool:
        """Whether a call (``CallSid`` sent) rather than a message reached the proxy number."""
        return self.call_sid is not None

    @classmethod
    def from_form(cls, form: Form) -> Self:
        """The callback in ``form`` (see :meth:`InterceptCallback.from_form`).

        Args:
            form: the callback's form fields: a mapping of wire name (``InteractionSid``) to
                a str or list of str, or the multidict ``request.post()``/``request.form()``
                returns.
        """
        fields = _normalized(form)
        values = _take(fields, _OUT_OF_SESSION_FIELDS)
        session = _nested(Session, _take(fields, _SESSION_FIELDS), "sessionSid")
        inbound = _take(fields, _INBOUND_PARTICIPANT_FIELDS)
        outbound = _take(fields, _OUTBOUND_PARTICIPANT_FIELDS)
        return cls(
            **values,
            session=session,
            inbound_participant=_nested(Participant, inbound, "inboundParticipantSid"),
            outbound_participant=_nested(Participant, outbound, "outboundParticipantSid"),
            extra=_extra(fields),
        )
