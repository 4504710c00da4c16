"""Proxy v1 Interactions: ``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions``."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._table import INTERACTIONS
from ..models.interaction import Interaction
from ._base import Resource

__all__ = ["Interactions"]


class Interactions(Resource[Interaction]):
    """Fetch, delete and list the Interactions (messages and calls) of a Session."""

    table = INTERACTIONS

    async def fetch(self, service_sid: str, session_sid: str, sid: str) -> Interaction:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions/{Sid}"""
        return await self._fetch((service_sid, session_sid), sid)

    async def delete(self, service_sid: str, session_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions/{Sid}

        Delete one Interaction record of a Session.
        """
        await self._delete((service_sid, session_sid), sid)

    def list(
        self,
        service_sid: str,
        session_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[Interaction]:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions

        Every message and call of a Session.
        """
        parents = (service_sid, session_sid)
        return self._list(parents, page_size=page_size, limit=limit, prefetch=prefetch)
