"""Chat v2 Services: ``/v2/Services``."""

from __future__ import annotations

from collections.abc import Sequence

from .._pagination import AsyncPager
from .._table import CHAT_SERVICES
from ..models.chat_service import ChatService, WebhookMethod
from ._base import Resource

__all__ = ["ChatServices"]


class ChatServices(Resource[ChatService]):
    """Create, fetch, update, delete and list Chat v2 Services."""

    table = CHAT_SERVICES

    async def create(self, *, friendly_name: str) -> ChatService:
        """POST /v2/Services"""
        return await self._create((), locals())

    async def fetch(self, sid: str) -> ChatService:
        """GET /v2/Services/{Sid}"""
        return await self._fetch((), sid)

    async def update(
        self,
        sid: str,
        *,
        friendly_name: str | None = None,
        default_service_role_sid: str | None = None,
        default_channel_role_sid: str | None = None,
        default_channel_creator_role_sid: str | None = None,
        read_status_enabled: bool | None = None,
        reachability_enabled: bool | None = None,
        typing_indicator_timeout: int | None = None,
        consumption_report_interval: int | None = None,
        notifications_new_message_enabled: bool | None = None,
        notifications_new_message_template: str | None = None,
        notifications_new_message_sound: str | None = None,
        notifications_new_message_badge_count_enabled: bool | None = None,
        notifications_added_to_channel_enabled: bool | None = None,
        notifications_added_to_channel_template: str | None = None,
        notifications_added_to_channel_sound: str | None = None,
        notifications_removed_from_channel_enabled: bool | None = None,
        notifications_removed_from_channel_template: str | None = None,
        notifications_removed_from_channel_sound: str | None = None,
        notifications_invited_to_channel_enabled: bool | None = None,
        notifications_invited_to_channel_template: str | None = None,
        notifications_invited_to_channel_sound: str | None = None,
        pre_webhook_url: str | None = None,
        post_webhook_url: str | None = None,
        webhook_method: WebhookMethod | str | None = None,
        webhook_filters: Sequence[str] | None = None,
        limits_channel_members: int | None = None,
        limits_user_channels: int | None = None,
        media_compatibility_message: str | None = None,
        pre_webhook_retry_count: int | None = None,
        post_webhook_retry_count: int | None = None,
        notifications_log_enabled: bool | None = None,
    ) -> ChatService:
        """POST /v2/Services/{Sid}

        Dotted wire fields map to underscored names: ``Notifications.NewMessage.Enabled``
        is ``notifications_new_message_enabled``; ``webhook_filters`` repeats its key.
        """
        return await self._update((), sid, locals())

    async def delete(self, sid: str) -> None:
        """DELETE /v2/Services/{Sid}"""
        await self._delete((), sid)

    def list(
        self, *, page_size: int | None = None, limit: int | None = None, prefetch: bool = True
    ) -> AsyncPager[ChatService]:
        """GET /v2/Services"""
        return self._list((), page_size=page_size, limit=limit, prefetch=prefetch)
