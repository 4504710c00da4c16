"""Proxy v1 Participant: ``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{Sid}``."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._common import Links, sid_field

__all__ = ["Participant"]


@attrs.frozen(kw_only=True)
class Participant:
    """One side of a Session: a real identifier reached through a proxy identifier."""

    sid: str = sid_field("KP", required=True)
    session_sid: str | None = sid_field("KC")
    service_sid: str | None = sid_field("KS")
    account_sid: str | None = sid_field("AC")
    friendly_name: str | None = None
    identifier: str | None = None
    proxy_identifier: str | None = None
    proxy_identifier_sid: str | None = sid_field("PN")
    date_deleted: datetime | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    url: str | None = None
    links: Links | None = None
