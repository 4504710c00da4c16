"""Chat v2 UpdateService: flat and dotted form fields mapped onto the nested record."""

from __future__ import annotations

from ._errors import invalid
from ._forms import Form, sid_pattern
from ._records import ChatServiceRecord

_RL = sid_pattern("RL")
_LIMIT_MAX = 1000
_WEBHOOK_METHODS = ("GET", "POST")

_NOTIFICATION_EVENTS = {
    "NewMessage": "new_message",
    "AddedToChannel": "added_to_channel",
    "RemovedFromChannel": "removed_from_channel",
    "InvitedToChannel": "invited_to_channel",
}
_NOTIFICATION_TEXT = {"Template": "template", "Sound": "sound"}

_ROLE_FIELDS = {
    "DefaultServiceRoleSid": "default_service_role_sid",
    "DefaultChannelRoleSid": "default_channel_role_sid",
    "DefaultChannelCreatorRoleSid": "default_channel_creator_role_sid",
}
_FLAG_FIELDS = {
    "ReadStatusEnabled": "read_status_enabled",
    "ReachabilityEnabled": "reachability_enabled",
}
_COUNT_FIELDS = {
    "TypingIndicatorTimeout": "typing_indicator_timeout",
    "ConsumptionReportInterval": "consumption_report_interval",
    "PreWebhookRetryCount": "pre_webhook_retry_count",
    "PostWebhookRetryCount": "post_webhook_retry_count",
}
_URL_FIELDS = {"PreWebhookUrl": "pre_webhook_url", "PostWebhookUrl": "post_webhook_url"}
_LIMIT_FIELDS = {"Limits.ChannelMembers": "channel_members", "Limits.UserChannels": "user_channels"}


def _non_negative(form: Form, name: str) -> int | None:
    value = form.integer(name)
    if value is not None and value < 0:
        raise invalid(f"{name} must be 0 or greater")
    return value


def _limit(form: Form, name: str) -> int | None:
    value = form.integer(name)
    if value is not None and not 1 <= value <= _LIMIT_MAX:
        raise invalid(f"{name} must be between 1 and {_LIMIT_MAX}")
    return value


def _notification_changes(form: Form) -> list[tuple[str, str, bool | str]]:
    changes: list[tuple[str, str, bool | str]] = []
    for event, key in _NOTIFICATION_EVENTS.items():
        prefix = f"Notifications.{event}."
        enabled = form.boolean(prefix + "Enabled")
        if enabled is not None:
            changes.append((key, "enabled", enabled))
        for field, attribute in _NOTIFICATION_TEXT.items():
            text = form.text(prefix + field)
            if text is not None:
                changes.append((key, attribute, text))
    badge = form.boolean("Notifications.NewMessage.BadgeCountEnabled")
    if badge is not None:
        changes.append(("new_message", "badge_count_enabled", badge))
    return changes


def apply_chat_update(chat: ChatServiceRecord, form: Form) -> None:
    """Parses every field first so a 400 never leaves a half-applied update behind."""
    roles = {attr: form.sid(name, _RL) for name, attr in _ROLE_FIELDS.items()}
    flags = {attr: form.boolean(name) for name, attr in _FLAG_FIELDS.items()}
    counts = {attr: _non_negative(form, name) for name, attr in _COUNT_FIELDS.items()}
    limits = {attr: _limit(form, name) for name, attr in _LIMIT_FIELDS.items()}
    method = form.choice("WebhookMethod", _WEBHOOK_METHODS)
    log_enabled = form.boolean("Notifications.LogEnabled")
    notifications = _notification_changes(form)

    friendly_name = form.text("FriendlyName")
    if friendly_name is not None:
        chat.friendly_name = friendly_name
    for attribute, value in [*roles.items(), *flags.items(), *counts.items()]:
        if value is not None:
            setattr(chat, attribute, value)
    for name, attribute in _URL_FIELDS.items():
        if form.has(name):
            setattr(chat, attribute, form.text(name) or None)
    if method is not None:
        chat.webhook_method = method
    if form.has("WebhookFilters"):
        chat.webhook_filters = [f for f in form.getall("WebhookFilters") if f]
    chat.limits = {**chat.limits, **{k: v for k, v in limits.items() if v is not None}}
    media_message = form.text("Media.CompatibilityMessage")
    if media_message is not None:
        chat.media = {**chat.media, "compatibility_message": media_message}
    if log_enabled is not None or notifications:
        updated = {
            key: dict(value) if isinstance(value, dict) else value
            for key, value in chat.notifications.items()
        }
        if log_enabled is not None:
            updated["log_enabled"] = log_enabled
        for event, attribute, value in notifications:
            updated.setdefault(event, {})[attribute] = value
        chat.notifications = updated
