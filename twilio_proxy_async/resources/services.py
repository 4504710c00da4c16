"""Proxy v1 Services: ``/v1/Services``."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._table import SERVICES
from ..models.service import GeoMatchLevel, NumberSelectionBehavior, Service
from ._base import Resource

__all__ = ["Services"]


class Services(Resource[Service]):
    """Create, fetch, update, delete and list Proxy Services."""

    table = SERVICES

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
        """POST /v1/Services"""
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
        """POST /v1/Services/{Sid}"""
        return await self._update((), sid, locals())

    async def delete(self, sid: str) -> None:
        """DELETE /v1/Services/{Sid}"""
        await self._delete((), sid)

    def list(
        self, *, page_size: int | None = None, limit: int | None = None, prefetch: bool = True
    ) -> AsyncPager[Service]:
        """GET /v1/Services"""
        return self._list((), page_size=page_size, limit=limit, prefetch=prefetch)
