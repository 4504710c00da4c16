"""Proxy v1 Service: ``/v1/Services/{Sid}``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

from ._common import Links, by_value, sid_field

__all__ = ["GeoMatchLevel", "NumberSelectionBehavior", "Service"]


class GeoMatchLevel(StrEnum):
    """How close to a participant's own number a proxy number from the pool must be.

    Twilio's default is ``country``; the finer levels only apply to North American numbers.

    Attributes:
        AREA_CODE: the proxy number shares the participant's area code.
        OVERLAY: the proxy number's area code is the participant's or one overlaying it
            (several area codes serving the same region).
        RADIUS: the proxy number is in an area code near the participant's (Twilio's
            "extended area code").
        COUNTRY: any proxy number in the participant's country.
    """

    AREA_CODE = "area-code"
    OVERLAY = "overlay"
    RADIUS = "radius"
    COUNTRY = "country"


class NumberSelectionBehavior(StrEnum):
    """Whether Proxy tries to give a participant the proxy number of their earlier Sessions.

    Attributes:
        AVOID_STICKY: pick a different proxy number than before whenever the pool allows.
        PREFER_STICKY: reuse the participant's previous proxy number when it can be used,
            without failing when it cannot.
    """

    AVOID_STICKY = "avoid-sticky"
    PREFER_STICKY = "prefer-sticky"


@attrs.frozen(kw_only=True)
class Service:
    """A Proxy Service: the container of Sessions and of the pool of proxy numbers.

    Every field but ``sid`` is None when Twilio leaves it out or sends null.

    Attributes:
        sid: the Service's SID, ``KS`` followed by 32 hex digits.
        unique_name: your name for the Service, unique in the account (at most 191
            characters); usable instead of the SID to fetch it.
        account_sid: the Account (``AC...``) that owns the Service.
        chat_instance_sid: the Chat v2 Service (``IS...``) that Proxy forwards SMS and channel
            messages to; one Chat Service per Proxy Service.
        callback_url: the URL Twilio calls whenever an Interaction's status changes.
        default_ttl: the ``ttl`` (seconds) given to new Sessions that set none, counted from
            a Session's creation or last Interaction; ``0`` means Sessions never expire.
        number_selection_behavior: how proxy numbers are reused across a participant's
            Sessions (``NumberSelectionBehavior``, or the raw string of a value this version
            does not know).
        geo_match_level: how close to the participant a proxy number must be
            (``GeoMatchLevel``, or an unknown value's raw string).
        intercept_callback_url: the URL Twilio calls before each Interaction; answering 403
            blocks the Interaction.
        out_of_session_callback_url: the URL Twilio calls when a call or message reaches a
            proxy number outside any open Session; its TwiML answer is executed.
        date_created: when the Service was created (aware UTC datetime).
        date_updated: when the Service was last changed (aware UTC datetime).
        url: the absolute URL of this Service resource.
        links: URLs of the collections under the Service, by collection name
            (``sessions``, ``phone_numbers``, ...); a read-only mapping.
    """

    sid: str = sid_field("KS", required=True)
    unique_name: str | None = None
    account_sid: str | None = sid_field("AC")
    chat_instance_sid: str | None = sid_field("IS")
    callback_url: str | None = None
    default_ttl: int | None = None
    number_selection_behavior: NumberSelectionBehavior | str | None = None
    geo_match_level: GeoMatchLevel | str | None = None
    intercept_callback_url: str | None = None
    out_of_session_callback_url: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    url: str | None = None
    links: Links | None = attrs.field(default=None, eq=by_value)
