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
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions/{Sid}

        Args:
            service_sid: the Proxy Service, ``KS`` followed by 32 hex digits.
            session_sid: the Session, ``KC`` followed by 32 hex digits.
            sid: the Interaction, ``KI`` followed by 32 hex digits.

        Returns:
            The ``Interaction``.

        Raises:
            InvalidParameterError: a SID is malformed; nothing was sent.
            NotFoundError: there is no such Interaction.
        """
        return await self._fetch((service_sid, session_sid), sid)

    async def delete(self, service_sid: str, session_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions/{Sid}

        Delete one Interaction record of a Session.

        Args:
            service_sid: the Proxy Service, ``KS`` followed by 32 hex digits.
            session_sid: the Session, ``KC`` followed by 32 hex digits.
            sid: the Interaction, ``KI`` followed by 32 hex digits.

        Raises:
            InvalidParameterError: a SID is malformed; nothing was sent.
            NotFoundError: there is no such Interaction.
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

        Args:
            service_sid: the Proxy Service, ``KS`` followed by 32 hex digits.
            session_sid: the Session, ``KC`` followed by 32 hex digits.
            page_size: records per request to Twilio, 1 to 1000. Default None: Twilio's own page
                size (50), or ``limit`` when a smaller ``limit`` is given.
            limit: the most Interactions to yield in all, a positive integer. Default None: every
                one.
            prefetch: whether the next page is requested while you work on the current one (default
                True); False requests each page only when it is needed.

        Returns:
            An ``AsyncPager``: ``async for`` over it (no ``await`` before), ``.pages()`` for whole
            pages, ``.cursor`` and ``resume()`` to continue a stopped listing.

        Raises:
            InvalidParameterError: a SID, ``page_size`` or ``limit`` is malformed; nothing was sent.
        """
        parents = (service_sid, session_sid)
        return self._list(parents, page_size=page_size, limit=limit, prefetch=prefetch)
