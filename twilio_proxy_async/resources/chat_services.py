"""Chat v2 Services: ``/v2/Services``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from .._docstrings import entries
from .._pagination import AsyncPager
from .._table import CHAT_SERVICES
from ..models.chat_service import ChatService, WebhookMethod
from ._base import Resource

__all__ = ["ChatServices"]

# The events a Chat Service can push a notification for (``Notifications.<Event>.*``).
_NOTIFICATIONS = ("new_message", "added_to_channel", "removed_from_channel", "invited_to_channel")


class ChatServices(Resource[ChatService]):
    """Create, fetch, update, delete and list Chat v2 Services."""

    table = CHAT_SERVICES
    # An update argument sets the model's field of the same name: where the model's
    # description says it all, it is written once, there. Each notification's template and
    # sound read alike.
    _shared_docs: ClassVar[Mapping[str, str]] = {
        **entries(ChatService.__doc__, "Attributes:"),
        **{
            f"notifications_{event}_template": "the text of that notification when it is enabled."
            for event in _NOTIFICATIONS
        },
        **{
            f"notifications_{event}_sound": "the name of the sound played with that notification."
            for event in _NOTIFICATIONS
        },
    }

    async def create(self, *, friendly_name: str) -> ChatService:
        """POST /v2/Services

        Create a Chat v2 Service (for example, the chat instance a Proxy Service forwards to).

        Args:
            friendly_name: your description of the Service; a non-empty string, required.

        Returns:
            The new ``ChatService``, with Twilio's default settings.

        Raises:
            InvalidParameterError: ``friendly_name`` is empty or not a string; nothing was sent.
        """
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

        Change a Chat Service's settings; only the arguments given (not None) are sent, the others
        keep their current values. Dotted wire fields map to underscored names:
        ``Notifications.NewMessage.Enabled`` is ``notifications_new_message_enabled``.

        Args:
            notifications_new_message_enabled: whether a push notification is sent when a new
                message is added to a channel (``Notifications.NewMessage.Enabled``); Twilio's
                default is False.
            notifications_new_message_badge_count_enabled: whether new messages update the app's
                badge count; Twilio's default is False.
            notifications_added_to_channel_enabled: whether a push notification is sent when a
                member is added to a channel (``Notifications.AddedToChannel.Enabled``); Twilio's
                default is False.
            notifications_removed_from_channel_enabled: whether a push notification is sent when a
                user is removed from a channel (sent to that user)
                (``Notifications.RemovedFromChannel.Enabled``); Twilio's default is False.
            notifications_invited_to_channel_enabled: whether a push notification is sent when a
                user is invited to a channel (``Notifications.InvitedToChannel.Enabled``); Twilio's
                default is False.
            pre_webhook_url: the URL called before each event (with ``webhook_method``); its answer
                can stop the event.
            post_webhook_url: the URL called after each event (with ``webhook_method``).
            webhook_method: how both webhooks are called: a ``WebhookMethod`` or its value (``GET``,
                ``POST``); Twilio's default is ``POST``.
            webhook_filters: the events that trigger the webhooks (``onMessageSent``,
                ``onChannelAdded``, ...): a sequence of strings, one ``WebhookFilters`` field each.
            limits_channel_members: the most members a channel may have, up to 1000 (Twilio's
                default is 250).
            limits_user_channels: the most channels a user may belong to, up to 1000 (Twilio's
                default is 100).
            media_compatibility_message: the text sent in place of a media message that has no text.
            notifications_log_enabled: whether Twilio logs the notifications it sends; default
                False.
        """
        return await self._update((), sid, locals())

    async def delete(self, sid: str) -> None:
        """DELETE /v2/Services/{Sid}

        Delete a Chat Service.
        """
        await self._delete((), sid)

    def list(
        self, *, page_size: int | None = None, limit: int | None = None, prefetch: bool = True
    ) -> AsyncPager[ChatService]:
        """GET /v2/Services

        Every Chat v2 Service of the account.
        """
        return self._list((), page_size=page_size, limit=limit, prefetch=prefetch)
