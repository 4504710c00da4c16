"""Proxy v1 Services: ``/v1/Services``."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._params import Param, check_identifier, check_sid, form_items, path
from ..models.service import GeoMatchLevel, NumberSelectionBehavior, Service
from ._base import Resource

__all__ = ["Services"]

_FIELDS = {
    "unique_name": Param("UniqueName", str),
    "default_ttl": Param("DefaultTtl", int),
    "callback_url": Param("CallbackUrl", str),
    "geo_match_level": Param("GeoMatchLevel", GeoMatchLevel),
    "number_selection_behavior": Param("NumberSelectionBehavior", NumberSelectionBehavior),
    "intercept_callback_url": Param("InterceptCallbackUrl", str),
    "out_of_session_callback_url": Param("OutOfSessionCallbackUrl", str),
    "chat_instance_sid": Param("ChatInstanceSid", str, sid="IS"),
}


class Services(Resource):
    """Create, fetch, update, delete and list Proxy Services."""

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
        check_identifier(unique_name, "unique_name")
        form = form_items(
            _FIELDS,
            unique_name=unique_name,
            default_ttl=default_ttl,
            callback_url=callback_url,
            geo_match_level=geo_match_level,
            number_selection_behavior=number_selection_behavior,
            intercept_callback_url=intercept_callback_url,
            out_of_session_callback_url=out_of_session_callback_url,
            chat_instance_sid=chat_instance_sid,
        )
        return await self._api.send("/v1/Services", Service, form)

    async def fetch(self, sid_or_unique_name: str) -> Service:
        """GET /v1/Services/{Sid} (the SID or the unique name)"""
        check_identifier(sid_or_unique_name, "sid_or_unique_name")
        return await self._api.fetch_one(path("/v1/Services/{}", sid_or_unique_name), Service)

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
        check_sid(sid, "KS", "sid")
        form = form_items(
            _FIELDS,
            unique_name=unique_name,
            default_ttl=default_ttl,
            callback_url=callback_url,
            geo_match_level=geo_match_level,
            number_selection_behavior=number_selection_behavior,
            intercept_callback_url=intercept_callback_url,
            out_of_session_callback_url=out_of_session_callback_url,
            chat_instance_sid=chat_instance_sid,
        )
        return await self._api.send(path("/v1/Services/{}", sid), Service, form, idempotent=True)

    async def delete(self, sid: str) -> None:
        """DELETE /v1/Services/{Sid}"""
        check_sid(sid, "KS", "sid")
        await self._api.remove(path("/v1/Services/{}", sid))

    def list(
        self, *, page_size: int | None = None, limit: int | None = None, prefetch: bool = True
    ) -> AsyncPager[Service]:
        """GET /v1/Services"""
        return self._api.listing(
            "/v1/Services",
            Service,
            "services",
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
        )
