"""Chat v2 Services: ``/v2/Services``."""

from __future__ import annotations

from collections.abc import Sequence

from .._pagination import AsyncPager
from .._params import Param, check_identifier, check_sid, form_items, path
from ..models.chat_service import ChatService, WebhookMethod
from ._base import Resource

__all__ = ["ChatServices"]

# Every UpdateService form field of the Chat v2 spec, in the spec's order.
_UPDATE_FIELDS = {
    "friendly_name": Param("FriendlyName", str),
    "default_service_role_sid": Param("DefaultServiceRoleSid", str, sid="RL"),
    "default_channel_role_sid": Param("DefaultChannelRoleSid", str, sid="RL"),
    "default_channel_creator_role_sid": Param("DefaultChannelCreatorRoleSid", str, sid="RL"),
    "read_status_enabled": Param("ReadStatusEnabled", bool),
    "reachability_enabled": Param("ReachabilityEnabled", bool),
    "typing_indicator_timeout": Param("TypingIndicatorTimeout", int),
    "consumption_report_interval": Param("ConsumptionReportInterval", int),
    "notifications_new_message_enabled": Param("Notifications.NewMessage.Enabled", bool),
    "notifications_new_message_template": Param("Notifications.NewMessage.Template", str),
    "notifications_new_message_sound": Param("Notifications.NewMessage.Sound", str),
    "notifications_new_message_badge_count_enabled": Param(
        "Notifications.NewMessage.BadgeCountEnabled", bool
    ),
    "notifications_added_to_channel_enabled": Param("Notifications.AddedToChannel.Enabled", bool),
    "notifications_added_to_channel_template": Param("Notifications.AddedToChannel.Template", str),
    "notifications_added_to_channel_sound": Param("Notifications.AddedToChannel.Sound", str),
    "notifications_removed_from_channel_enabled": Param(
        "Notifications.RemovedFromChannel.Enabled", bool
    ),
    "notifications_removed_from_channel_template": Param(
        "Notifications.RemovedFromChannel.Template", str
    ),
    "notifications_removed_from_channel_sound": Param(
        "Notifications.RemovedFromChannel.Sound", str
    ),
    "notifications_invited_to_channel_enabled": Param(
        "Notifications.InvitedToChannel.Enabled", bool
    ),
    "notifications_invited_to_channel_template": Param(
        "Notifications.InvitedToChannel.Template", str
    ),
    "notifications_invited_to_channel_sound": Param("Notifications.InvitedToChannel.Sound", str),
    "pre_webhook_url": Param("PreWebhookUrl", str),
    "post_webhook_url": Param("PostWebhookUrl", str),
    "webhook_method": Param("WebhookMethod", WebhookMethod),
    "webhook_filters": Param("WebhookFilters", list),
    "limits_channel_members": Param("Limits.ChannelMembers", int),
    "limits_user_channels": Param("Limits.UserChannels", int),
    "media_compatibility_message": Param("Media.CompatibilityMessage", str),
    "pre_webhook_retry_count": Param("PreWebhookRetryCount", int),
    "post_webhook_retry_count": Param("PostWebhookRetryCount", int),
    "notifications_log_enabled": Param("Notifications.LogEnabled", bool),
}

_CREATE_FIELDS = {"friendly_name": _UPDATE_FIELDS["friendly_name"]}


class ChatServices(Resource):
    """Create, fetch, update, delete and list Chat v2 Services."""

    async def create(self, *, friendly_name: str) -> ChatService:
        """POST /v2/Services"""
        check_identifier(friendly_name, "friendly_name")
        form = form_items(
            {"friendly_name": _UPDATE_FIELDS["friendly_name"]}, friendly_name=friendly_name
        )
        return await self._api.send("/v2/Services", ChatService, form)

    async def fetch(self, sid: str) -> ChatService:
        """GET /v2/Services/{Sid}"""
        check_sid(sid, "IS", "sid")
        return await self._api.fetch_one(path("/v2/Services/{}", sid), ChatService)

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
        check_sid(sid, "IS", "sid")
        form = form_items(
            _UPDATE_FIELDS,
            friendly_name=friendly_name,
            default_service_role_sid=default_service_role_sid,
            default_channel_role_sid=default_channel_role_sid,
            default_channel_creator_role_sid=default_channel_creator_role_sid,
            read_status_enabled=read_status_enabled,
            reachability_enabled=reachability_enabled,
            typing_indicator_timeout=typing_indicator_timeout,
            consumption_report_interval=consumption_report_interval,
            notifications_new_message_enabled=notifications_new_message_enabled,
            notifications_new_message_template=notifications_new_message_template,
            notifications_new_message_sound=notifications_new_message_sound,
            notifications_new_message_badge_count_enabled=notifications_new_message_badge_count_enabled,
            notifications_added_to_channel_enabled=notifications_added_to_channel_enabled,
            notifications_added_to_channel_template=notifications_added_to_channel_template,
            notifications_added_to_channel_sound=notifications_added_to_channel_sound,
            notifications_removed_from_channel_enabled=notifications_removed_from_channel_enabled,
            notifications_removed_from_channel_template=notifications_removed_from_channel_template,
            notifications_removed_from_channel_sound=notifications_removed_from_channel_sound,
            notifications_invited_to_channel_enabled=notifications_invited_to_channel_enabled,
            notifications_invited_to_channel_template=notifications_invited_to_channel_template,
            notifications_invited_to_channel_sound=notifications_invited_to_channel_sound,
            pre_webhook_url=pre_webhook_url,
            post_webhook_url=post_webhook_url,
            webhook_method=webhook_method,
            webhook_filters=webhook_filters,
            limits_channel_members=limits_channel_members,
            limits_user_channels=limits_user_channels,
            media_compatibility_message=media_compatibility_message,
            pre_webhook_retry_count=pre_webhook_retry_count,
            post_webhook_retry_count=post_webhook_retry_count,
            notifications_log_enabled=notifications_log_enabled,
        )
        return await self._api.send(
            path("/v2/Services/{}", sid), ChatService, form, idempotent=True
        )

    async def delete(self, sid: str) -> None:
        """DELETE /v2/Services/{Sid}"""
        check_sid(sid, "IS", "sid")
        await self._api.remove(path("/v2/Services/{}", sid))

    def list(
        self, *, page_size: int | None = None, limit: int | None = None, prefetch: bool = True
    ) -> AsyncPager[ChatService]:
        """GET /v2/Services"""
        return self._api.listing(
            "/v2/Services",
            ChatService,
            "services",
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
        )
