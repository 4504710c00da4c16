"""Chat v2 UpdateService: flat and dotted form fields mapped onto the nested record."""

from __future__ import annotations

from .._table import CHAT_SERVICES, Field
from ._errors import invalid
from ._forms import Form
from ._records import ChatServiceRecord

_LIMIT_MAX = 1000
_FIELDS = {field.wire: field for field in CHAT_SERVICES.update}

_NOTIFICATION_EVENTS = {
    "NewMessage": "new_message",
    "AddedToChannel": "added_to_channel",
    "RemovedFromChannel": "removed_from_channel",
    "InvitedToChannel": "invited_to_channel",
}
_NOTIFICATION_TEXT = {"Template": "template", "Sound": "sound"}

# Fields stored flat under their own (Python) name on the record, by kind.
_FLAT = [field for field in CHAT_SERVICES.update if "." not in field.wire]
_ROLES = [field for field in _FLAT if field.sid is not None]
_FLAGS = [field for field in _FLAT if field.kind is bool]
_COUNTS = [field for field in _FLAT if field.kind is int]
_URLS = [field for field in _FLAT if field.name.endswith("_url")]
# Limits.* fields, by the key they set in the record's ``limits`` object.
_LIMITS = {
    field.name.removeprefix("limits_"): field
    for field in CHAT_SERVICES.update
    if field.wire.startswith("Limits.")
}


def _field(wire: str) -> Field:
    return _FIELDS[wire]


def _non_negative(form: Form, field: Field) -> int | None:
    value = form.integer(field)
    if value is not None and value < 0:
        raise invalid(f"{field.wire} must be 0 or greater")
    return value


def _limit(form: Form, field: Field) -> int | None:
    value = form.integer(field)
    if value is not None and not 1 <= value <= _LIMIT_MAX:
        raise invalid(f"{field.wire} must be between 1 and {_LIMIT_MAX}")
    return value


def _notification_changes(form: Form) -> list[tuple[str, str, bool | str]]:
    changes: list[tuple[str, str, bool | str]] = []
    for event, key in _NOTIFICATION_EVENTS.items():
        prefix = f"Notifications.{event}."
        enabled = form.boolean(_field(prefix + "Enabled"))
        if enabled is not None:
            changes.append((key, "enabled", enabled))
        for name, attribute in _NOTIFICATION_TEXT.items():
            text = form.text(_field(prefix + name))
            if text is not None:
                changes.append((key, attribute, text))
    badge = form.boolean(_field("Notifications.NewMessage.BadgeCountEnabled"))
    if badge is not None:
        changes.append(("new_message", "badge_count_enabled", badge))
    return changes


def apply_chat_update(chat: ChatServiceRecord, form: Form) -> None:
    """Parses every field first so a 400 never leaves a half-applied update behind."""
    roles = {field.name: form.sid(field) for field in _ROLES}
    flags = {field.name: form.boolean(field) for field in _FLAGS}
    counts = {field.name: _non_negative(form, field) for field in _COUNTS}
    limits = {key: _limit(form, field) for key, field in _LIMITS.items()}
    method = form.choice(_field("WebhookMethod"))
    log_enabled = form.boolean(_field("Notifications.LogEnabled"))
    notifications = _notification_changes(form)

    friendly_name = form.text(_field("FriendlyName"))
    if friendly_name is not None:
        chat.friendly_name = friendly_name
    for attribute, value in [*roles.items(), *flags.items(), *counts.items()]:
        if value is not None:
            setattr(chat, attribute, value)
    for field in _URLS:
        if form.has(field):
            setattr(chat, field.name, form.text(field) or None)
    if method is not None:
        chat.webhook_method = method
    filters = _field("WebhookFilters")
    if form.has(filters):
        chat.webhook_filters = [f for f in form.getall(filters) if f]
    chat.limits = {**chat.limits, **{k: v for k, v in limits.items() if v is not None}}
    media_message = form.text(_field("Media.CompatibilityMessage"))
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
