"""Proxy v1 Participants: ``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants``."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._table import PARTICIPANTS
from ..models.participant import Participant
from ._base import Resource

__all__ = ["Participants"]


class Participants(Resource[Participant]):
    """Add, fetch, remove and list the Participants of a Session."""

    table = PARTICIPANTS

    async def create(
        self,
        service_sid: str,
        session_sid: str,
        *,
        identifier: str,
        friendly_name: str | None = None,
        proxy_identifier: str | None = None,
        proxy_identifier_sid: str | None = None,
    ) -> Participant:
        """POST /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants"""
        return await self._create((service_sid, session_sid), locals())

    async def fetch(self, service_sid: str, session_sid: str, sid: str) -> Participant:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{Sid}"""
        return await self._fetch((service_sid, session_sid), sid)

    async def delete(self, service_sid: str, session_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{Sid}

        Twilio answers 200 with an empty body here, not 204.
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
    ) -> AsyncPager[Participant]:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants"""
        parents = (service_sid, session_sid)
        return self._list(parents, page_size=page_size, limit=limit, prefetch=prefetch)
