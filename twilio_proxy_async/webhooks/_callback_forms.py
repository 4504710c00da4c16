"""Reading a Proxy callback's posted form: its fields, their parsers, what is left over.

Field names are Twilio's (https://www.twilio.com/docs/proxy/api/webhooks): Proxy's own are
camelCase (``interactionSid``), the inbound message or call fields of the out-of-session
callback PascalCase (``From``, ``CallSid``); each is held by its snake_case attribute. A
value is checked as the REST models check theirs (SIDs, aware UTC datetimes, tolerant
enums), an empty value is read as absent, and what no attribute holds is kept as received.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any, NamedTuple, TypeVar

from .._converter import parse_datetime
from ..models._common import sid_pattern
from ..models.interaction import InteractionResourceStatus, InteractionType
from ..models.session import SessionMode, SessionStatus

__all__ = [
    "INBOUND_PARTICIPANT_FIELDS",
    "INTERACTION_FIELDS",
    "INTERCEPT_FIELDS",
    "OUTBOUND_PARTICIPANT_FIELDS",
    "OUT_OF_SESSION_FIELDS",
    "SESSION_FIELDS",
    "Extra",
    "Form",
    "extra_fields",
    "nested",
    "normalized",
    "require_interaction_sid",
    "take",
]

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
INTERCEPT_FIELDS = _fields(_INBOUND)
INTERACTION_FIELDS = _fields({**_INBOUND, **_OUTBOUND})

_PLACES = ("City", "State", "Zip", "Country")
OUT_OF_SESSION_FIELDS = _fields(
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
SESSION_FIELDS = tuple(
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


INBOUND_PARTICIPANT_FIELDS = _participant_fields("inbound")
OUTBOUND_PARTICIPANT_FIELDS = _participant_fields("outbound")


def normalized(form: Form) -> dict[str, tuple[str, ...]]:
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


def take(fields: dict[str, tuple[str, ...]], table: tuple[_Field, ...]) -> dict[str, Any]:
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


def extra_fields(fields: dict[str, tuple[str, ...]]) -> dict[str, str | tuple[str, ...]]:
    return {name: values[0] if len(values) == 1 else values for name, values in fields.items()}


def require_interaction_sid(values: dict[str, Any]) -> None:
    if "interaction_sid" not in values:
        raise ValueError("interactionSid is missing: not a Proxy interaction callback")


def nested(kind: Callable[..., T], values: dict[str, Any], sid_name: str) -> T | None:
    if not values:
        return None
    if "sid" not in values:
        raise ValueError(f"{sid_name} is missing, though other fields of it were sent")
    return kind(**values)
