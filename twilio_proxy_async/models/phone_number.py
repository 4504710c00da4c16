"""Proxy v1 PhoneNumber: ``/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}``."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._common import JSONObject, by_value, sid_field

__all__ = ["PhoneNumber"]


@attrs.frozen(kw_only=True)
class PhoneNumber:
    """A Twilio phone number in a Service's pool of proxy numbers.

    Every field but ``sid`` is None when Twilio leaves it out or sends null.

    Attributes:
        sid: the number's SID, ``PN`` followed by 32 hex digits (the account's
            IncomingPhoneNumber).
        account_sid: the Account (``AC...``) that owns the number.
        service_sid: the Proxy Service (``KS...``) whose pool holds the number.
        date_created: when the number joined the pool (aware UTC datetime).
        date_updated: when its pool entry was last changed (aware UTC datetime).
        phone_number: the number in E.164 form: ``+``, country code, subscriber number.
        friendly_name: the number's description in the account.
        iso_country: the ISO 3166-1 alpha-2 code of the number's country (``US``).
        capabilities: what the number can do, as Twilio reports it (keys such as ``sms``,
            ``voice``, or ``sms_outbound``, ``voice_inbound``; boolean values); a read-only
            mapping.
        url: the absolute URL of this PhoneNumber resource.
        is_reserved: True when Proxy never picks the number on its own; it is then only
            used when a Participant asks for it explicitly.
        in_use: how many open Sessions currently use the number.
    """

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
    capabilities: JSONObject | None = attrs.field(default=None, eq=by_value)
    url: str | None = None
    is_reserved: bool | None = None
    in_use: int | None = None
