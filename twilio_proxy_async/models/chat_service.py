"""Chat v2 Service: ``/v2/Services/{Sid}``, the chat instance a Proxy Service can link to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import attrs

from ._common import JSONObject, Links, sid_field

__all__ = ["ChatService", "WebhookMethod"]


class WebhookMethod(StrEnum):
    """The HTTP method Chat uses to call the pre- and post-event webhooks."""

    GET = "GET"
    POST = "POST"


@attrs.frozen(kw_only=True)
class ChatService:
    """A Chat v2 Service instance with its notification, limit and webhook settings."""

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
    limits: JSONObject | None = None
    pre_webhook_url: str | None = None
    post_webhook_url: str | None = None
    webhook_method: str | None = None
    webhook_filters: Sequence[str] | None = None
    pre_webhook_retry_count: int | None = None
    post_webhook_retry_count: int | None = None
    notifications: JSONObject | None = None
    media: JSONObject | None = None
    url: str | None = None
    links: Links | None = None
