"""Proxy v1 Session: ``/v1/Services/{ServiceSid}/Sessions/{Sid}``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

from ._common import Links, by_value, sid_field

__all__ = ["Session", "SessionMode", "SessionStatus"]


class SessionStatus(StrEnum):
    """Where a Session is in its life.

    An update may close an ``open`` or ``in-progress`` Session (``closed``) or reopen a
    closed one (``in-progress``); Twilio refuses other changes.

    Attributes:
        OPEN: created, no Interaction yet.
        IN_PROGRESS: participants have exchanged at least one message or call.
        CLOSED: ended, by an update, its ``ttl`` or ``date_expiry``; ``closed_reason``
            says why.
        FAILED: Twilio could not run the Session.
        UNKNOWN: Twilio does not know the Session's state.
    """

    OPEN = "open"
    IN_PROGRESS = "in-progress"
    CLOSED = "closed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class SessionMode(StrEnum):
    """Which channels a Session carries between its participants.

    Attributes:
        MESSAGE_ONLY: messages only; calls to its proxy numbers are not connected.
        VOICE_ONLY: calls only; messages are not relayed.
        VOICE_AND_MESSAGE: both calls and messages (Twilio's default).
    """

    MESSAGE_ONLY = "message-only"
    VOICE_ONLY = "voice-only"
    VOICE_AND_MESSAGE = "voice-and-message"


@attrs.frozen(kw_only=True)
class Session:
    """A Proxy Session: one masked conversation between its (usually two) Participants.

    Every field but ``sid`` is None when Twilio leaves it out or sends null.

    Attributes:
        sid: the Session's SID, ``KC`` followed by 32 hex digits.
        service_sid: the Proxy Service (``KS...``) the Session belongs to.
        account_sid: the Account (``AC...``) that owns the Session.
        date_started: when the Session started (aware UTC datetime).
        date_ended: when the Session ended; None while it is open.
        date_last_interaction: when the last message or call of the Session happened.
        date_expiry: when the Session closes by itself; when set it overrides ``ttl``.
        unique_name: your name for the Session, unique in its Service (at most 191
            characters); usable instead of the SID to fetch it.
        status: where the Session is in its life (``SessionStatus``, or the raw string of
            a value this version does not know).
        closed_reason: Twilio's reason for closing the Session, as free text.
        ttl: seconds of inactivity after which the Session closes, counted from its creation
            or its last Interaction; ``0`` means no limit.
        mode: the channels the Session carries (``SessionMode``, or an unknown value's raw
            string).
        date_created: when the Session was created (aware UTC datetime).
        date_updated: when the Session was last changed (aware UTC datetime).
        url: the absolute URL of this Session resource.
        links: URLs of the related lists, by name (``interactions``, ``participants``);
            a read-only mapping.
    """

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
    links: Links | None = attrs.field(default=None, eq=by_value)
