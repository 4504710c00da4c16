"""Proxy v1 Participants: ``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants``."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._params import Param, check_identifier, check_sid, form_items, path
from ..models.participant import Participant
from ._base import Resource

__all__ = ["Participants"]

_FIELDS = {
    "identifier": Param("Identifier", str),
    "friendly_name": Param("FriendlyName", str),
    "proxy_identifier": Param("ProxyIdentifier", str),
    "proxy_identifier_sid": Param("ProxyIdentifierSid", str, sid="PN"),
}

_COLLECTION = "/v1/Services/{}/Sessions/{}/Participants"
_INSTANCE = _COLLECTION + "/{}"


class Participants(Resource):
    """Add, fetch, remove and list the Participants of a Session."""

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
        check_sid(service_sid, "KS", "service_sid")
        check_sid(session_sid, "KC", "session_sid")
        check_identifier(identifier, "identifier")
        form = form_items(
            _FIELDS,
            identifier=identifier,
            friendly_name=friendly_name,
            proxy_identifier=proxy_identifier,
            proxy_identifier_sid=proxy_identifier_sid,
        )
        return await self._api.send(path(_COLLECTION, service_sid, session_sid), Participant, form)

    async def fetch(self, service_sid: str, session_sid: str, sid: str) -> Participant:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{Sid}"""
        check_sid(service_sid, "KS", "service_sid")
        check_sid(session_sid, "KC", "session_sid")
        check_sid(sid, "KP", "sid")
        return await self._api.fetch_one(
            path(_INSTANCE, service_sid, session_sid, sid), Participant
        )

    async def delete(self, service_sid: str, session_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{Sid}

        Twilio answers 200 with an empty body here, not 204.
        """
        check_sid(service_sid, "KS", "service_sid")
        check_sid(session_sid, "KC", "session_sid")
        check_sid(sid, "KP", "sid")
        await self._api.remove(path(_INSTANCE, service_sid, session_sid, sid))

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
        check_sid(service_sid, "KS", "service_sid")
        check_sid(session_sid, "KC", "session_sid")
        return self._api.listing(
            path(_COLLECTION, service_sid, session_sid),
            Participant,
            "participants",
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
        )
