"""Proxy v1 Interactions: ``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions``."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._params import check_sid, path
from ..models.interaction import Interaction
from ._base import Resource

__all__ = ["Interactions"]

_COLLECTION = "/v1/Services/{}/Sessions/{}/Interactions"
_INSTANCE = _COLLECTION + "/{}"


class Interactions(Resource):
    """Fetch, delete and list the Interactions (messages and calls) of a Session."""

    async def fetch(self, service_sid: str, session_sid: str, sid: str) -> Interaction:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions/{Sid}"""
        check_sid(service_sid, "KS", "service_sid")
        check_sid(session_sid, "KC", "session_sid")
        check_sid(sid, "KI", "sid")
        return await self._api.fetch_one(
            path(_INSTANCE, service_sid, session_sid, sid), Interaction
        )

    async def delete(self, service_sid: str, session_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions/{Sid}"""
        check_sid(service_sid, "KS", "service_sid")
        check_sid(session_sid, "KC", "session_sid")
        check_sid(sid, "KI", "sid")
        await self._api.remove(path(_INSTANCE, service_sid, session_sid, sid))

    def list(
        self,
        service_sid: str,
        session_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[Interaction]:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions"""
        check_sid(service_sid, "KS", "service_sid")
        check_sid(session_sid, "KC", "session_sid")
        return self._api.listing(
            path(_COLLECTION, service_sid, session_sid),
            Interaction,
            "interactions",
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
        )
