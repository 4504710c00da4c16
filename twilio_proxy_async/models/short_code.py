"""Proxy v1 ShortCode: ``/v1/Services/{ServiceSid}/ShortCodes/{Sid}``."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._common import JSONObject, sid_field

__all__ = ["ShortCode"]


@attrs.frozen(kw_only=True)
class ShortCode:
    """A short code of the account in a Service's proxy pool.

    The fields are those of Twilio's ShortCode answers; the current OpenAPI file leaves the
    resource out.
    """

    sid: str = sid_field("SC", required=True)
    account_sid: str | None = sid_field("AC")
    service_sid: str | None = sid_field("KS")
    date_created: datetime | None = None
    date_updated: datetime | None = None
    short_code: str | None = None
    iso_country: str | None = None
    # Twilio answers with keys such as sms_outbound and voice_inbound: kept as received.
    capabilities: JSONObject | None = None
    url: str | None = None
    is_reserved: bool | None = None
