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
        """POST /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants

        Add a Participant to a Session. Arguments left as None are not sent.

        Args:
            identifier: the participant's real phone number, E.164 (``+14155551234``), or channel
                address; required.
            friendly_name: your description of the participant, at most 255 characters (keep
                personal data out of it).
            proxy_identifier: the proxy number (E.164) the participant will use; default None: Proxy
                picks one from the Service's pool.
            proxy_identifier_sid: the ``PN...`` SID of that proxy number, instead of the number.
        """
        return await self._create((service_sid, session_sid), locals())

    async def fetch(self, service_sid: str, session_sid: str, sid: str) -> Participant:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{Sid}"""
        return await self._fetch((service_sid, session_sid), sid)

    async def delete(self, service_sid: str, session_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{Sid}

        Remove a Participant from its Session. Twilio keeps the record (its ``date_deleted`` is set)
        until the Session itself is deleted, and the same participant cannot be added again. Twilio
        answers 200 with an empty body here, not 204.
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
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants

        Every Participant of a Session.
        """
        parents = (service_sid, session_sid)
        return self._list(parents, page_size=page_size, limit=limit, prefetch=prefetch)
