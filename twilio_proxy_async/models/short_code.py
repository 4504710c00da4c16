"""Proxy v1 ShortCode: ``/v1/Services/{ServiceSid}/ShortCodes/{Sid}``."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._common import JSONObject, by_value, sid_field

__all__ = ["ShortCode"]


@attrs.frozen(kw_only=True)
class ShortCode:
    """A short code of the account in a Service's proxy pool.

    The fields are those of Twilio's ShortCode answers; the current OpenAPI file leaves the
    resource out. Every field but ``sid`` is None when Twilio leaves it out or sends null.

    Attributes:
        sid: the short code's SID, ``SC`` followed by 32 hex digits (the account's
            ShortCode resource).
        account_sid: the Account (``AC...``) that owns the short code.
        service_sid: the Proxy Service (``KS...``) whose pool holds it.
        date_created: when the short code joined the pool (aware UTC datetime).
        date_updated: when its pool entry was last changed (aware UTC datetime).
        short_code: the short code itself, as digits (``12345``).
        iso_country: the ISO 3166-1 alpha-2 code of the short code's country (``US``).
        capabilities: what the short code can do, as Twilio reports it (keys such as
            ``sms_outbound``, ``voice_inbound``; boolean values); a read-only mapping.
        url: the absolute URL of this ShortCode resource.
        is_reserved: True when Proxy never picks the short code on its own; it is then only
            used when a Participant asks for it explicitly.
    """

    sid: str = sid_field("SC", required=True)
    account_sid: str | None = sid_field("AC")
    service_sid: str | None = sid_field("KS")
    date_created: datetime | None = None
    date_updated: datetime | None = None
    short_code: str | None = None
    iso_country: str | None = None
    # Twilio answers with keys such as sms_outbound and voice_inbound: kept as received.
    capabilities: JSONObject | None = attrs.field(default=None, eq=by_value)
    url: str | None = None
    is_reserved: bool | None = None
