"""Proxy v1 Participant: ``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{Sid}``."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._common import Links, by_value, sid_field

__all__ = ["Participant"]


@attrs.frozen(kw_only=True)
class Participant:
    """One side of a Session: a real identifier, reached by the other side through a proxy
    identifier.

    Every field but ``sid`` is None when Twilio leaves it out or sends null.

    Attributes:
        sid: the Participant's SID, ``KP`` followed by 32 hex digits.
        session_sid: the Session (``KC...``) the Participant belongs to.
        service_sid: the Proxy Service (``KS...``) of that Session.
        account_sid: the Account (``AC...``) that owns the Participant.
        friendly_name: your description of the Participant (at most 255 characters; keep
            personal data out of it).
        identifier: the Participant's real phone number (E.164, e.g. ``+14155551212``) or
            channel address, at most 191 characters.
        proxy_identifier: the masked number or short code the Participant calls or texts to
            reach the other side.
        proxy_identifier_sid: the SID of that proxy number (``PN...``) in the Service's pool.
        date_deleted: when the Participant was removed from the Session; None while in it.
        date_created: when the Participant was added (aware UTC datetime).
        date_updated: when the Participant was last changed (aware UTC datetime).
        url: the absolute URL of this Participant resource.
        links: URLs of the related lists, by name (``message_interactions``); a read-only
            mapping.
    """

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
    links: Links | None = attrs.field(default=None, eq=by_value)
