"""Chat v2 Service: ``/v2/Services/{Sid}``, the chat instance a Proxy Service can link to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import attrs

from ._common import JSONObject, Links, by_value, sid_field

__all__ = ["ChatService", "WebhookMethod"]


class WebhookMethod(StrEnum):
    """The HTTP method Chat uses to call the pre- and post-event webhooks.

    Attributes:
        GET: event fields sent as query parameters.
        POST: event fields sent as a form body (Twilio's default).
    """

    GET = "GET"
    POST = "POST"


@attrs.frozen(kw_only=True)
class ChatService:
    """A Chat v2 Service instance with its notification, limit and webhook settings.

    Every field but ``sid`` is None when Twilio leaves it out or sends null. The nested
    objects (``limits``, ``notifications``, ``media``, ``links``) are read-only mappings,
    kept exactly as Twilio sent them.

    Attributes:
        sid: the Chat Service's SID, ``IS`` followed by 32 hex digits.
        account_sid: the Account (``AC...``) that owns the Service.
        friendly_name: your description of the Service.
        date_created: when the Service was created (aware UTC datetime).
        date_updated: when the Service was last changed (aware UTC datetime).
        default_service_role_sid: the service Role (``RL...``) given to users added to the
            Service.
        default_channel_role_sid: the channel Role (``RL...``) given to users added to a
            channel.
        default_channel_creator_role_sid: the channel Role (``RL...``) given to a channel's
            creator when they join it.
        read_status_enabled: whether the Message Consumption Horizon (read status) feature is
            on; Twilio's default is True.
        reachability_enabled: whether the Reachability Indicator (users' online state) is on;
            Twilio's default is False.
        typing_indicator_timeout: seconds after a "started typing" event before clients
            assume the user stopped typing; Twilio's default is 5.
        consumption_report_interval: deprecated by Twilio: seconds between batches of
            consumption reports from clients.
        limits: ``channel_members`` (members per channel, at most 1000, default 250) and
            ``user_channels`` (channels per user, at most 1000, default 100).
        pre_webhook_url: the URL called before each event, with ``webhook_method``; its
            answer can stop the event.
        post_webhook_url: the URL called after each event, with ``webhook_method``.
        webhook_method: ``GET`` or ``POST`` (``WebhookMethod`` values; a raw string as
            Twilio sent it).
        webhook_filters: the events that trigger the webhooks (``onMessageSent``,
            ``onChannelAdded``, ...), as a tuple.
        pre_webhook_retry_count: how often a pre-event call is retried after a timeout (5 s)
            or a 429, 503 or 504 answer; Twilio's default 0 means never.
        post_webhook_retry_count: the same for post-event calls; default 0.
        notifications: the push-notification settings, per event (``new_message``,
            ``added_to_channel``, ``removed_from_channel``, ``invited_to_channel``: enabled,
            template, sound, badge count) plus ``log_enabled``.
        media: ``size_limit_mb`` (the largest media file, in MB) and
            ``compatibility_message`` (the text sent for a media message without text).
        url: the absolute URL of this Service resource.
        links: URLs of the related lists, by name (``channels``, ``users``, ``roles``,
            ``bindings``).
    """

    sid: str = sid_field("IS", required=True)
    account_sid: str | None = sid_field("AC")
    friendly_name: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    default_service_role_sid: str | None = sid_field("RL")
    default_channel_role_sid: str | None = sid_field("RL")
    default_channel_creator_role_sid: str | None = sid_field("RL")
    read_status_enabled: bool | None = None
    reachability_enabled: bool | None = None
    typing_indicator_timeout: int | None = None
    consumption_report_interval: int | None = None
    limits: JSONObject | None = attrs.field(default=None, eq=by_value)
    pre_webhook_url: str | None = None
    post_webhook_url: str | None = None
    webhook_method: str | None = None
    webhook_filters: Sequence[str] | None = attrs.field(default=None, eq=by_value)
    pre_webhook_retry_count: int | None = None
    post_webhook_retry_count: int | None = None
    notifications: JSONObject | None = attrs.field(default=None, eq=by_value)
    media: JSONObject | None = attrs.field(default=None, eq=by_value)
    url: str | None = None
    links: Links | None = attrs.field(default=None, eq=by_value)
