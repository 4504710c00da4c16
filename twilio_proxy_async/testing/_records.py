"""Stored records and the JSON each one renders to, cached as bytes until it changes.

A record's ``url`` and ``links`` come from the SDK's table (its path templates and which
collections hang off which), so they always name the paths the routes serve.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, cast

import attrs

from .._table import (
    CHAT_SERVICES,
    COLLECTIONS,
    INTERACTIONS,
    MESSAGE_INTERACTIONS,
    PARTICIPANTS,
    PHONE_NUMBERS,
    POOLS,
    SERVICES,
    SESSIONS,
    parent_of,
)
from .._table import (
    Collection as Table,
)
from ._collection import Collection

_Json = dict[str, Any]

# A Proxy Session holds at most two Participants.
MAX_PARTICIPANTS = 2


@attrs.frozen
class Site:
    """What every rendered record embeds: the emulator's origin and account."""

    origin: str
    account_sid: str


def _dumps(data: _Json) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def record_url(site: Site, table: Table[Any], *sids: str) -> str:
    """The URL of one record: its parents' SIDs, then its own, in the table's path."""
    return site.origin + table.instance_path_format.format(*sids)


def links(url: str, table: Table[Any]) -> dict[str, str]:
    """Twilio's ``links`` of a record: one per collection that hangs off it, by its name."""
    return {
        child.name: url + "/" + child.path.rsplit("/", 1)[1]
        for child in COLLECTIONS
        if parent_of(child) is table
    }


@attrs.define(eq=False, kw_only=True)
class CachedRecord:
    seq: int
    sid: str
    date_created: str
    date_updated: str
    _json: bytes | None = attrs.field(default=None, init=False, repr=False)

    def to_dict(self, site: Site) -> _Json:
        raise NotImplementedError

    def payload(self, site: Site) -> bytes:
        if self._json is None:
            self._json = _dumps(self.to_dict(site))
        return self._json

    def changed(self) -> None:
        self._json = None


@attrs.define(eq=False, kw_only=True)
class PoolMemberRecord(CachedRecord):
    """A number of the account in a Service's proxy pool, of any pool collection of the table.

    ``details`` are the fields its kind adds (the number itself, its country, capabilities),
    as the emulator invented them when told only the SID (``_demo.invented``).
    """

    table: Table[Any]
    service_sid: str
    is_reserved: bool
    details: Mapping[str, Any] = attrs.field(factory=dict)

    def own_fields(self) -> Mapping[str, Any]:
        return self.details

    def to_dict(self, site: Site) -> _Json:
        return {
            "sid": self.sid,
            "account_sid": site.account_sid,
            "service_sid": self.service_sid,
            "date_created": self.date_created,
            "date_updated": self.date_updated,
            **self.own_fields(),
            "url": record_url(site, self.table, self.service_sid, self.sid),
            "is_reserved": self.is_reserved,
        }


@attrs.define(eq=False, kw_only=True)
class PhoneNumberRecord(PoolMemberRecord):
    """The pool member sessions draw their proxy numbers from: it counts its participants."""

    table: Table[Any] = PHONE_NUMBERS
    phone_number: str
    friendly_name: str
    iso_country: str | None
    in_use: int = 0

    def own_fields(self) -> Mapping[str, Any]:
        return {
            "phone_number": self.phone_number,
            "friendly_name": self.friendly_name,
            "iso_country": self.iso_country,
            # The keys Twilio's own answers carry, not the spec's fax/mms/sms/voice.
            "capabilities": {"sms_outbound": True, "voice_inbound": True},
        }

    def to_dict(self, site: Site) -> _Json:
        return {**super().to_dict(site), "in_use": self.in_use}


@attrs.define(eq=False, kw_only=True)
class InteractionRecord(CachedRecord):
    """Serves both the session's Interactions and a participant's MessageInteractions."""

    service_sid: str
    session_sid: str
    participant_sid: str | None
    data: str | None
    type: str
    inbound_participant_sid: str | None
    inbound_resource_sid: str | None
    inbound_resource_status: str | None
    inbound_resource_type: str | None
    outbound_participant_sid: str | None
    outbound_resource_sid: str | None
    outbound_resource_status: str | None
    outbound_resource_type: str | None
    _message_json: bytes | None = attrs.field(default=None, init=False, repr=False)

    def _common(self, site: Site) -> _Json:
        return {
            "sid": self.sid,
            "session_sid": self.session_sid,
            "service_sid": self.service_sid,
            "account_sid": site.account_sid,
            "data": self.data,
            "type": self.type,
            "inbound_participant_sid": self.inbound_participant_sid,
            "inbound_resource_sid": self.inbound_resource_sid,
            "inbound_resource_status": self.inbound_resource_status,
            "inbound_resource_type": self.inbound_resource_type,
            "inbound_resource_url": None,
            "outbound_participant_sid": self.outbound_participant_sid,
            "outbound_resource_sid": self.outbound_resource_sid,
            "outbound_resource_status": self.outbound_resource_status,
            "outbound_resource_type": self.outbound_resource_type,
            "outbound_resource_url": None,
            "date_created": self.date_created,
            "date_updated": self.date_updated,
        }

    def to_dict(self, site: Site) -> _Json:
        data = self._common(site)
        data["url"] = record_url(site, INTERACTIONS, self.service_sid, self.session_sid, self.sid)
        return data

    def message_dict(self, site: Site) -> _Json:
        data = self._common(site)
        data["participant_sid"] = self.participant_sid
        assert self.participant_sid is not None
        sids = (self.service_sid, self.session_sid, self.participant_sid, self.sid)
        data["url"] = record_url(site, MESSAGE_INTERACTIONS, *sids)
        return data

    def message_payload(self, site: Site) -> bytes:
        if self._message_json is None:
            self._message_json = _dumps(self.message_dict(site))
        return self._message_json

    def changed(self) -> None:
        super().changed()
        self._message_json = None


@attrs.define(eq=False, kw_only=True)
class ParticipantRecord(CachedRecord):
    service_sid: str
    session_sid: str
    identifier: str
    friendly_name: str | None
    proxy_identifier: str
    proxy_identifier_sid: str
    date_deleted: str | None = None
    message_interactions: Collection[InteractionRecord] = attrs.field(factory=Collection)

    def url(self, site: Site) -> str:
        return record_url(site, PARTICIPANTS, self.service_sid, self.session_sid, self.sid)

    def to_dict(self, site: Site) -> _Json:
        url = self.url(site)
        return {
            "sid": self.sid,
            "session_sid": self.session_sid,
            "service_sid": self.service_sid,
            "account_sid": site.account_sid,
            "friendly_name": self.friendly_name,
            "identifier": self.identifier,
            "proxy_identifier": self.proxy_identifier,
            "proxy_identifier_sid": self.proxy_identifier_sid,
            "date_deleted": self.date_deleted,
            "date_created": self.date_created,
            "date_updated": self.date_updated,
            "url": url,
            "links": links(url, PARTICIPANTS),
        }


@attrs.define(eq=False, kw_only=True)
class SessionRecord(CachedRecord):
    service_sid: str
    unique_name: str | None
    status: str
    mode: str
    ttl: int
    date_expiry: str | None
    date_ended: str | None = None
    date_last_interaction: str | None = None
    closed_reason: str | None = None
    seeder: Callable[[SessionRecord], None] | None = attrs.field(default=None, repr=False)
    _participants: Collection[ParticipantRecord] | None = attrs.field(
        default=None, init=False, repr=False
    )
    _interactions: Collection[InteractionRecord] | None = attrs.field(
        default=None, init=False, repr=False
    )

    @property
    def participants(self) -> Collection[ParticipantRecord]:
        if self._participants is None:
            self._fill()
        assert self._participants is not None
        return self._participants

    @property
    def interactions(self) -> Collection[InteractionRecord]:
        if self._interactions is None:
            self._fill()
        assert self._interactions is not None
        return self._interactions

    def _fill(self) -> None:
        """Children are created on first use: seeding 200k demo sessions stays cheap."""
        self._participants = Collection()
        self._interactions = Collection()
        seeder, self.seeder = self.seeder, None
        if seeder is not None:
            seeder(self)

    def to_dict(self, site: Site) -> _Json:
        url = record_url(site, SESSIONS, self.service_sid, self.sid)
        return {
            "sid": self.sid,
            "service_sid": self.service_sid,
            "account_sid": site.account_sid,
            "date_started": self.date_created,
            "date_ended": self.date_ended,
            "date_last_interaction": self.date_last_interaction,
            "date_expiry": self.date_expiry,
            "unique_name": self.unique_name,
            "status": self.status,
            "closed_reason": self.closed_reason,
            "ttl": self.ttl,
            "mode": self.mode,
            "date_created": self.date_created,
            "date_updated": self.date_updated,
            "url": url,
            "links": links(url, SESSIONS),
        }


@attrs.define(eq=False, kw_only=True)
class ServiceRecord(CachedRecord):
    unique_name: str
    default_ttl: int = 0
    callback_url: str | None = None
    geo_match_level: str = "country"
    number_selection_behavior: str = "prefer-sticky"
    intercept_callback_url: str | None = None
    out_of_session_callback_url: str | None = None
    chat_instance_sid: str | None = None
    # One collection of members per pool collection of the table, by its name.
    pools: Mapping[str, Collection[PoolMemberRecord]] = attrs.field(
        factory=lambda: {table.name: Collection() for table in POOLS}
    )
    sessions: Collection[SessionRecord] = attrs.field(factory=Collection)
    session_names: dict[str, SessionRecord] = attrs.field(factory=dict)

    def pool(self, table: Table[Any]) -> Collection[PoolMemberRecord]:
        return self.pools[table.name]

    @property
    def phone_numbers(self) -> Collection[PhoneNumberRecord]:
        # Only the phone numbers' own create (and the demo) fills this pool, with their kind.
        return cast("Collection[PhoneNumberRecord]", self.pools[PHONE_NUMBERS.name])

    def to_dict(self, site: Site) -> _Json:
        url = record_url(site, SERVICES, self.sid)
        return {
            "sid": self.sid,
            "account_sid": site.account_sid,
            "chat_instance_sid": self.chat_instance_sid,
            "unique_name": self.unique_name,
            "default_ttl": self.default_ttl,
            "callback_url": self.callback_url,
            "geo_match_level": self.geo_match_level,
            "number_selection_behavior": self.number_selection_behavior,
            "intercept_callback_url": self.intercept_callback_url,
            "out_of_session_callback_url": self.out_of_session_callback_url,
            "date_created": self.date_created,
            "date_updated": self.date_updated,
            "url": url,
            "links": links(url, SERVICES),
        }


@attrs.define(eq=False, kw_only=True)
class ChatServiceRecord(CachedRecord):
    friendly_name: str
    default_service_role_sid: str
    default_channel_role_sid: str
    default_channel_creator_role_sid: str
    read_status_enabled: bool = True
    reachability_enabled: bool = False
    typing_indicator_timeout: int = 5
    consumption_report_interval: int = 10
    limits: _Json = attrs.field(factory=lambda: {"channel_members": 250, "user_channels": 100})
    pre_webhook_url: str | None = None
    post_webhook_url: str | None = None
    webhook_method: str = "POST"
    webhook_filters: list[str] = attrs.field(factory=list)
    pre_webhook_retry_count: int = 0
    post_webhook_retry_count: int = 0
    # Twilio answers {} until a Notifications.* field is set, then only the keys set.
    notifications: _Json = attrs.field(factory=dict)
    media: _Json = attrs.field(
        factory=lambda: {"size_limit_mb": 150, "compatibility_message": None}
    )

    def to_dict(self, site: Site) -> _Json:
        url = record_url(site, CHAT_SERVICES, self.sid)
        return {
            "sid": self.sid,
            "account_sid": site.account_sid,
            "friendly_name": self.friendly_name,
            "date_created": self.date_created,
            "date_updated": self.date_updated,
            "default_service_role_sid": self.default_service_role_sid,
            "default_channel_role_sid": self.default_channel_role_sid,
            "default_channel_creator_role_sid": self.default_channel_creator_role_sid,
            "read_status_enabled": self.read_status_enabled,
            "reachability_enabled": self.reachability_enabled,
            "typing_indicator_timeout": self.typing_indicator_timeout,
            "consumption_report_interval": self.consumption_report_interval,
            "limits": self.limits,
            "pre_webhook_url": self.pre_webhook_url,
            "post_webhook_url": self.post_webhook_url,
            "webhook_method": self.webhook_method,
            "webhook_filters": self.webhook_filters,
            "pre_webhook_retry_count": self.pre_webhook_retry_count,
            "post_webhook_retry_count": self.post_webhook_retry_count,
            "notifications": self.notifications,
            "media": self.media,
            "url": url,
            "links": {
                "channels": f"{url}/Channels",
                "users": f"{url}/Users",
                "roles": f"{url}/Roles",
                "bindings": f"{url}/Bindings",
            },
        }
