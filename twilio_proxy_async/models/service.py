"""Proxy v1 Service: ``/v1/Services/{Sid}``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import attrs

from ._common import Links, sid_field

__all__ = ["GeoMatchLevel", "NumberSelectionBehavior", "Service"]


class GeoMatchLevel(StrEnum):
    """Where a proxy number must be located relative to the participant."""

    AREA_CODE = "area-code"
    OVERLAY = "overlay"
    RADIUS = "radius"
    COUNTRY = "country"


class NumberSelectionBehavior(StrEnum):
    """Whether Proxy tries to reuse a participant's previous proxy number."""

    AVOID_STICKY = "avoid-sticky"
    PREFER_STICKY = "prefer-sticky"


@attrs.frozen(kw_only=True)
class Service:
    """A Proxy Service: the container of sessions and the pool of proxy numbers."""

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
    links: Links | None = None
