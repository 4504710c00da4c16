"""The entries: every Proxy v1 and Chat v2 collection the SDK reaches, parents first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ..models.chat_service import ChatService, WebhookMethod
from ..models.interaction import Interaction
from ..models.message_interaction import MessageInteraction
from ..models.participant import Participant
from ..models.phone_number import PhoneNumber
from ..models.service import GeoMatchLevel, NumberSelectionBehavior, Service
from ..models.session import Session, SessionMode, SessionStatus
from ..models.short_code import ShortCode
from ._shapes import ALL_VERBS, Api, Collection, Field, PathSid, Verb

__all__ = [
    "CHAT",
    "CHAT_SERVICES",
    "COLLECTIONS",
    "INTERACTIONS",
    "MESSAGE_INTERACTIONS",
    "PARTICIPANTS",
    "PHONE_NUMBERS",
    "POOLS",
    "PROXY",
    "SERVICES",
    "SESSIONS",
    "SESSION_PARTICIPANT",
    "SHORT_CODES",
    "collection",
    "parent_of",
]

PROXY = Api("proxy", "v1", 1000)
CHAT = Api("chat", "v2", 100)

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
    pool=True,
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
    pool=True,
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
# The collections whose records are members of a Service's proxy pool, in table order.
POOLS = tuple(table for table in COLLECTIONS if table.pool)


def collection(name: str) -> Collection[Any]:
    """The collection the export and the emulator call ``name``."""
    for found in COLLECTIONS:
        if found.name == name:
            return found
    raise LookupError(f"no collection {name!r}")


def parent_of(table: Collection[Any]) -> Collection[Any] | None:
    """The collection the nearest parent SID of ``table`` names (None for a top-level one)."""
    if not table.parents:
        return None
    prefix = table.parents[-1].prefix
    (found,) = (o for o in COLLECTIONS if o.api == table.api and o.prefix == prefix)
    return found
