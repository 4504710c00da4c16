"""Proxy v1 Services: ``/v1/Services``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .._pagination import AsyncPager
from .._table import SERVICES
from ..models.service import GeoMatchLevel, NumberSelectionBehavior, Service
from ._base import Resource

__all__ = ["Services"]


class Services(Resource[Service]):
    """Create, fetch, update, delete and list Proxy Services."""

    table = SERVICES
    # A Service's settings, as both create and update take them.
    _shared_docs: ClassVar[Mapping[str, str]] = {
        "unique_name": "your name for the Service: at most 191 characters, unique in the "
        "account (keep personal data out of it); it can stand for the SID in ``fetch``.",
        "default_ttl": "seconds a Session of this Service stays open after its creation or its "
        "last Interaction when it sets no ``ttl`` of its own; 0 (Twilio's default) means no "
        "limit.",
        "callback_url": "the URL Twilio calls whenever an Interaction's status changes.",
        "geo_match_level": "how close to a participant a proxy number must be: a "
        "``GeoMatchLevel`` or its value (``area-code``, ``overlay``, ``radius``, ``country``); "
        "Twilio's default is ``country``.",
        "number_selection_behavior": "whether Proxy reuses a participant's earlier proxy "
        "number: a ``NumberSelectionBehavior`` or its value (``prefer-sticky``, "
        "``avoid-sticky``).",
        "intercept_callback_url": "the URL Twilio calls before each Interaction; answering 403 "
        "blocks it.",
        "out_of_session_callback_url": "the URL Twilio calls when a call or message reaches a "
        "proxy number outside any open Session; the TwiML it answers is executed.",
        "chat_instance_sid": "a Chat v2 Service (``IS`` followed by 32 hex digits) that Proxy "
        "forwards SMS and channel messages to; one per Proxy Service.",
    }

    async def create(
        self,
        *,
        unique_name: str,
        default_ttl: int | None = None,
        callback_url: str | None = None,
        geo_match_level: GeoMatchLevel | str | None = None,
        number_selection_behavior: NumberSelectionBehavior | str | None = None,
        intercept_callback_url: str | None = None,
        out_of_session_callback_url: str | None = None,
        chat_instance_sid: str | None = None,
    ) -> Service:
        """POST /v1/Services

        Create a Proxy Service. Arguments left as None are not sent and Twilio applies its
        defaults.
        """
        return await self._create((), locals())

    async def fetch(self, sid_or_unique_name: str) -> Service:
        """GET /v1/Services/{Sid} (the SID or the unique name)"""
        return await self._fetch((), sid_or_unique_name)

    async def update(
        self,
        sid: str,
        *,
        unique_name: str | None = None,
        default_ttl: int | None = None,
        callback_url: str | None = None,
        geo_match_level: GeoMatchLevel | str | None = None,
        number_selection_behavior: NumberSelectionBehavior | str | None = None,
        intercept_callback_url: str | None = None,
        out_of_session_callback_url: str | None = None,
        chat_instance_sid: str | None = None,
    ) -> Service:
        """POST /v1/Services/{Sid}

        Change a Service's settings; only the arguments given (not None) are sent, the others
        keep their current values.
        """
        return await self._update((), sid, locals())

    async def delete(self, sid: str) -> None:
        """DELETE /v1/Services/{Sid}

        Delete a Service for good.
        """
        await self._delete((), sid)

    def list(
        self, *, page_size: int | None = None, limit: int | None = None, prefetch: bool = True
    ) -> AsyncPager[Service]:
        """GET /v1/Services

        Every Proxy Service of the account.
        """
        return self._list((), page_size=page_size, limit=limit, prefetch=prefetch)
