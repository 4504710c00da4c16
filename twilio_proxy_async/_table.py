"""The one table of wire facts: every Proxy v1 and Chat v2 collection this SDK reaches.

Each ``Collection`` says where it lives (path template, parents and their SID prefixes),
what it holds (SID prefix, model, list key, largest page), which operations exist and which
form fields they take (wire name, Python name, type, required). The resource classes, the
emulator's routes and checks, the export's resource tree and the conformance test read these
facts; none of them restates one. A new resource is one entry here, its model, its methods.

This module imports only the models, so ``testing/`` can read it without the client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

import attrs

from .models.chat_service import ChatService, WebhookMethod
from .models.interaction import Interaction
from .models.message_interaction import MessageInteraction
from .models.participant import Participant
from .models.phone_number import PhoneNumber
from .models.service import GeoMatchLevel, NumberSelectionBehavior, Service
from .models.session import Session, SessionMode, SessionStatus
from .models.short_code import ShortCode

__all__ = [
    "CHAT",
    "COLLECTIONS",
    "PROXY",
    "SESSION_PARTICIPANT",
    "Api",
    "Collection",
    "Field",
    "Operation",
    "PathSid",
    "Verb",
    "collection",
]

T = TypeVar("T")


class Verb(Enum):
    """Twilio's five verbs, and what each means on the wire."""

    CREATE = "create"
    FETCH = "fetch"
    UPDATE = "update"
    DELETE = "delete"
    LIST = "list"

    @property
    def http_method(self) -> str:
        return _HTTP_METHODS[self]

    @property
    def on_instance(self) -> bool:
        """Addressed to one record (``.../{Sid}``) rather than to the collection."""
        return self in (Verb.FETCH, Verb.UPDATE, Verb.DELETE)

    @property
    def writes(self) -> bool:
        """Creates, changes or removes a record (create, update, delete)."""
        return self in (Verb.CREATE, Verb.UPDATE, Verb.DELETE)

    @property
    def idempotent(self) -> bool:
        """Safe to send twice: a repeat leaves the same state as one call.

        Fetch and list only read; an update only sets the fields it names; a repeated
        delete finds the record gone. A create may have made its record before the
        connection failed, and a repeat would make a second one.
        """
        return self is not Verb.CREATE


# The status Twilio answers each verb with, unless a collection says otherwise.
_SUCCESS = {Verb.CREATE: 201, Verb.FETCH: 200, Verb.UPDATE: 200, Verb.DELETE: 204, Verb.LIST: 200}

_HTTP_METHODS = {
    Verb.CREATE: "POST",
    Verb.FETCH: "GET",
    Verb.UPDATE: "POST",
    Verb.DELETE: "DELETE",
    Verb.LIST: "GET",
}

ALL_VERBS = frozenset(Verb)


@attrs.frozen
class Api:
    """One Twilio product: its host name and the largest page its listings serve."""

    name: str
    version: str
    max_page_size: int


PROXY = Api("proxy", "v1", 1000)
CHAT = Api("chat", "v2", 100)


@attrs.frozen
class Field:
    """One form field: the keyword argument ``name`` sent as ``wire``.

    ``kind`` is str, int, bool, datetime, an Enum class (strict: member or exact value), or
    ``list`` for a repeated field; ``sid`` names the SID prefix a str must carry;
    ``members`` the keys of the JSON object each value of a repeated field is.
    """

    name: str
    wire: str
    kind: type[object]
    required: bool = False
    sid: str | None = None
    members: tuple[Field, ...] = ()


@attrs.frozen
class PathSid:
    """One SID in a path: the argument ``name``, the placeholder ``wire``, its prefix."""

    name: str
    wire: str
    prefix: str

    @property
    def placeholder(self) -> str:
        return "{" + self.wire + "}"


_PLACEHOLDER = re.compile(r"\{\w+\}")


@attrs.frozen(eq=False)  # each entry is one of a kind: compared and hashed by identity
class Collection(Generic[T]):
    """One collection of records and everything the wire says about it."""

    name: str  # unique across products: the export's and the emulator's name for it
    api: Api
    path: str  # the collection's path template, Twilio's placeholder names
    parents: tuple[PathSid, ...]
    prefix: str  # the SID prefix of its records
    model: type[T]
    key: str  # the key a page lists its records under
    verbs: frozenset[Verb] = ALL_VERBS
    create: tuple[Field, ...] = ()
    update: tuple[Field, ...] = ()
    # Fetch takes the SID or the unique name (the spec gives that path parameter no pattern).
    fetch_by_name: bool = False
    # Where Twilio's success status differs from the usual 201/200/204 of each verb.
    success: Mapping[Verb, int] = attrs.field(factory=dict)
    # Its name under client.<api.name>; only Chat's "services" differs from ``name``.
    attribute: str = attrs.field()

    _operations: Mapping[Verb, Operation[T]] = attrs.field(init=False, repr=False)

    @attribute.default
    def _attribute(self) -> str:
        return self.name

    @_operations.default
    def _build_operations(self) -> Mapping[Verb, Operation[T]]:
        # Built once: a request looks its operation up rather than making one.
        return {verb: Operation(self, verb) for verb in Verb if verb in self.verbs}

    @property
    def record(self) -> PathSid:
        return PathSid("sid", "Sid", self.prefix)

    @property
    def instance_path(self) -> str:
        return f"{self.path}/{self.record.placeholder}"

    @property
    def parent(self) -> Collection[Any] | None:
        """The collection the nearest parent SID names (None for a top-level one)."""
        if not self.parents:
            return None
        (found,) = (
            other
            for other in COLLECTIONS
            if other.api == self.api and other.prefix == self.parents[-1].prefix
        )
        return found

    def fields(self, verb: Verb) -> tuple[Field, ...]:
        return {Verb.CREATE: self.create, Verb.UPDATE: self.update}.get(verb, ())

    def operation(self, verb: Verb) -> Operation[T]:
        found = self._operations.get(verb)
        if found is None:
            raise LookupError(f"{self.api.name} {self.name} has no {verb.value}")
        return found

    def operations(self) -> Iterator[Operation[T]]:
        return iter(self._operations.values())


@attrs.frozen
class Operation(Generic[T]):
    """One verb on one collection: the unit a request is made of."""

    collection: Collection[T]
    verb: Verb
    # The path with ``{}`` placeholders, for ``str.format`` (computed once).
    format_path: str = attrs.field(init=False, repr=False, eq=False)

    @format_path.default
    def _format(self) -> str:
        return _PLACEHOLDER.sub("{}", self.path)

    @property
    def method(self) -> str:
        return self.verb.http_method

    @property
    def path(self) -> str:
        """The path template, Twilio's placeholder names (as the OpenAPI spec writes it)."""
        return self.collection.instance_path if self.verb.on_instance else self.collection.path

    @property
    def path_sids(self) -> tuple[PathSid, ...]:
        """The path's SIDs in order: the parents', then the record's for an instance verb."""
        parents = self.collection.parents
        return (*parents, self.collection.record) if self.verb.on_instance else parents

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.collection.fields(self.verb)

    @property
    def idempotent(self) -> bool:
        return self.verb.idempotent

    @property
    def success(self) -> int:
        """The status Twilio answers with (the SDK accepts any 2xx; the emulator sends this)."""
        return self.collection.success.get(self.verb, _SUCCESS[self.verb])

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


# --- parents --------------------------------------------------------------------------------

_SERVICE = PathSid("service_sid", "ServiceSid", "KS")
_SESSION = PathSid("session_sid", "SessionSid", "KC")
_PARTICIPANT = PathSid("participant_sid", "ParticipantSid", "KP")

# --- form fields ----------------------------------------------------------------------------

_SERVICE_FIELDS = (
    Field("unique_name", "UniqueName", str),
    Field("default_ttl", "DefaultTtl", int),
    Field("callback_url", "CallbackUrl", str),
    Field("geo_match_level", "GeoMatchLevel", GeoMatchLevel),
    Field("number_selection_behavior", "NumberSelectionBehavior", NumberSelectionBehavior),
    Field("intercept_callback_url", "InterceptCallbackUrl", str),
    Field("out_of_session_callback_url", "OutOfSessionCallbackUrl", str),
    Field("chat_instance_sid", "ChatInstanceSid", str, sid="IS"),
)

# The keys of each JSON object in a Session's ``Participants`` form value, in sending order.
SESSION_PARTICIPANT = (
    Field("identifier", "Identifier", str, required=True),
    Field("friendly_name", "FriendlyName", str),
    Field("proxy_identifier", "ProxyIdentifier", str),
    Field("proxy_identifier_sid", "ProxyIdentifierSid", str, sid="PN"),
)

_SESSION_FIELDS = (
    Field("unique_name", "UniqueName", str),
    Field("date_expiry", "DateExpiry", datetime),
    Field("ttl", "Ttl", int),
    Field("mode", "Mode", SessionMode),
    Field("status", "Status", SessionStatus),
    Field("participants", "Participants", list, members=SESSION_PARTICIPANT),
)


def _only(fields: tuple[Field, ...], *names: str) -> tuple[Field, ...]:
    return tuple(field for field in fields if field.name in names)


def _flag(name: str, wire: str) -> Field:
    return Field(name, wire, bool)


# Every UpdateService form field of the Chat v2 spec, in the spec's order.
_CHAT_UPDATE_FIELDS = (
    Field("friendly_name", "FriendlyName", str),
    Field("default_service_role_sid", "DefaultServiceRoleSid", str, sid="RL"),
    Field("default_channel_role_sid", "DefaultChannelRoleSid", str, sid="RL"),
    Field("default_channel_creator_role_sid", "DefaultChannelCreatorRoleSid", str, sid="RL"),
    _flag("read_status_enabled", "ReadStatusEnabled"),
    _flag("reachability_enabled", "ReachabilityEnabled"),
    Field("typing_indicator_timeout", "TypingIndicatorTimeout", int),
    Field("consumption_report_interval", "ConsumptionReportInterval", int),
    _flag("notifications_new_message_enabled", "Notifications.NewMessage.Enabled"),
    Field("notifications_new_message_template", "Notifications.NewMessage.Template", str),
    Field("notifications_new_message_sound", "Notifications.NewMessage.Sound", str),
    _flag(
        "notifications_new_message_badge_count_enabled",
        "Notifications.NewMessage.BadgeCountEnabled",
    ),
    _flag("notifications_added_to_channel_enabled", "Notifications.AddedToChannel.Enabled"),
    Field("notifications_added_to_channel_template", "Notifications.AddedToChannel.Template", str),
    Field("notifications_added_to_channel_sound", "Notifications.AddedToChannel.Sound", str),
    _flag("notifications_removed_from_channel_enabled", "Notifications.RemovedFromChannel.Enabled"),
    Field(
        "notifications_removed_from_channel_template",
        "Notifications.RemovedFromChannel.Template",
        str,
    ),
    Field(
        "notifications_removed_from_channel_sound", "Notifications.RemovedFromChannel.Sound", str
    ),
    _flag("notifications_invited_to_channel_enabled", "Notifications.InvitedToChannel.Enabled"),
    Field(
        "notifications_invited_to_channel_template",
        "Notifications.InvitedToChannel.Template",
        str,
    ),
    Field("notifications_invited_to_channel_sound", "Notifications.InvitedToChannel.Sound", str),
    Field("pre_webhook_url", "PreWebhookUrl", str),
    Field("post_webhook_url", "PostWebhookUrl", str),
    Field("webhook_method", "WebhookMethod", WebhookMethod),
    Field("webhook_filters", "WebhookFilters", list),
    Field("limits_channel_members", "Limits.ChannelMembers", int),
    Field("limits_user_channels", "Limits.UserChannels", int),
    Field("media_compatibility_message", "Media.CompatibilityMessage", str),
    Field("pre_webhook_retry_count", "PreWebhookRetryCount", int),
    Field("post_webhook_retry_count", "PostWebhookRetryCount", int),
    _flag("notifications_log_enabled", "Notifications.LogEnabled"),
)

# --- the collections ------------------------------------------------------------------------

SERVICES = Collection(
    "services",
    PROXY,
    "/v1/Services",
    (),
    "KS",
    Service,
    "services",
    create=(attrs.evolve(_SERVICE_FIELDS[0], required=True), *_SERVICE_FIELDS[1:]),
    update=_SERVICE_FIELDS,
    fetch_by_name=True,
)
PHONE_NUMBERS = Collection(
    "phone_numbers",
    PROXY,
    "/v1/Services/{ServiceSid}/PhoneNumbers",
    (_SERVICE,),
    "PN",
    PhoneNumber,
    "phone_numbers",
    # Sid or PhoneNumber names the number: one of the two is required, neither alone.
    create=(
        Field("sid", "Sid", str, sid="PN"),
        Field("phone_number", "PhoneNumber", str),
        Field("is_reserved", "IsReserved", bool),
    ),
    update=(Field("is_reserved", "IsReserved", bool),),
)
SHORT_CODES = Collection(
    "short_codes",
    PROXY,
    "/v1/Services/{ServiceSid}/ShortCodes",
    (_SERVICE,),
    "SC",
    ShortCode,
    "short_codes",
    create=(Field("sid", "Sid", str, required=True, sid="SC"),),
    update=(Field("is_reserved", "IsReserved", bool),),
)
SESSIONS = Collection(
    "sessions",
    PROXY,
    "/v1/Services/{ServiceSid}/Sessions",
    (_SERVICE,),
    "KC",
    Session,
    "sessions",
    create=_SESSION_FIELDS,
    update=_only(_SESSION_FIELDS, "date_expiry", "ttl", "status"),
    fetch_by_name=True,
)
PARTICIPANTS = Collection(
    "participants",
    PROXY,
    "/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants",
    (_SERVICE, _SESSION),
    "KP",
    Participant,
    "participants",
    verbs=ALL_VERBS - {Verb.UPDATE},
    create=SESSION_PARTICIPANT,
    success={Verb.DELETE: 200},
)
INTERACTIONS = Collection(
    "interactions",
    PROXY,
    "/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions",
    (_SERVICE, _SESSION),
    "KI",
    Interaction,
    "interactions",
    verbs=frozenset({Verb.FETCH, Verb.DELETE, Verb.LIST}),
)
MESSAGE_INTERACTIONS = Collection(
    "message_interactions",
    PROXY,
    "/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}"
    "/MessageInteractions",
    (_SERVICE, _SESSION, _PARTICIPANT),
    "KI",
    MessageInteraction,
    # Twilio lists MessageInteractions under the key of the Interactions they are.
    "interactions",
    verbs=frozenset({Verb.CREATE, Verb.FETCH, Verb.LIST}),
    create=(Field("body", "Body", str), Field("media_url", "MediaUrl", list)),
    success={Verb.CREATE: 200},
)
CHAT_SERVICES = Collection(
    "chat_services",
    CHAT,
    "/v2/Services",
    (),
    "IS",
    ChatService,
    "services",
    create=(attrs.evolve(_CHAT_UPDATE_FIELDS[0], required=True),),
    update=_CHAT_UPDATE_FIELDS,
    attribute="services",
)

# Parents before children: the order the export walks them in.
COLLECTIONS: tuple[Collection[Any], ...] = (
    SERVICES,
    PHONE_NUMBERS,
    SHORT_CODES,
    SESSIONS,
    PARTICIPANTS,
    INTERACTIONS,
    MESSAGE_INTERACTIONS,
    CHAT_SERVICES,
)


def collection(name: str) -> Collection[Any]:
    """The collection the export and the emulator call ``name``."""
    for found in COLLECTIONS:
        if found.name == name:
            return found
    raise LookupError(f"no collection {name!r}")
