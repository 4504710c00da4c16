"""Proxy v1 PhoneNumber: ``/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}``."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._common import JSONObject, sid_field

__all__ = ["PhoneNumber"]


@attrs.frozen(kw_only=True)
class PhoneNumber:
    """A Twilio number in a Service's proxy pool."""

    sid: str = sid_field("PN", required=True)
    account_sid: str | None = sid_field("AC")
    service_sid: str | None = sid_field("KS")
    date_created: datetime | None = None
    date_updated: datetime | None = None
    phone_number: str | None = None
    friendly_name: str | None = None
    iso_country: str | None = None
    # The spec lists fax/mms/sms/voice, yet Twilio's own examples answer with other keys
    # (sms_outbound, voice_inbound): kept as received rather than squeezed into a class.
    capabilities: JSONObject | None = None
    url: str | None = None
    is_reserved: bool | None = None
    in_use: int | None = None
