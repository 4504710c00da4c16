"""Proxy v1 Session: ``/v1/Services/{ServiceSid}/Sessions/{Sid}``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

from ._common import Links, sid_field

__all__ = ["Session", "SessionMode", "SessionStatus"]


class SessionStatus(StrEnum):
    """Where a Session is in its life; ``closed`` ends it, ``in-progress`` reopens it."""

    OPEN = "open"
    IN_PROGRESS = "in-progress"
    CLOSED = "closed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class SessionMode(StrEnum):
    """Which channels the Session's proxy numbers carry."""

    MESSAGE_ONLY = "message-only"
    VOICE_ONLY = "voice-only"
    VOICE_AND_MESSAGE = "voice-and-message"


@attrs.frozen(kw_only=True)
class Session:
    """A Proxy Session: one masked conversation between its participants."""

    sid: str = sid_field("KC", required=True)
    service_sid: str | None = sid_field("KS")
    account_sid: str | None = sid_field("AC")
    date_started: datetime | None = None
    date_ended: datetime | None = None
    date_last_interaction: datetime | None = None
    date_expiry: datetime | None = None
    unique_name: str | None = None
    status: SessionStatus | str | None = None
    closed_reason: str | None = None
    ttl: int | None = None
    mode: SessionMode | str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    url: str | None = None
    links: Links | None = None
