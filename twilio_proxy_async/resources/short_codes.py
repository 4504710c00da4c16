"""Proxy v1 ShortCodes: ``/v1/Services/{ServiceSid}/ShortCodes``."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._table import SHORT_CODES
from ..models.short_code import ShortCode
from ._base import Resource

__all__ = ["ShortCodes"]


class ShortCodes(Resource[ShortCode]):
    """Add, fetch, update, remove and list the short codes in a Service's proxy pool."""

    table = SHORT_CODES

    async def create(self, service_sid: str, *, sid: str) -> ShortCode:
        """POST /v1/Services/{ServiceSid}/ShortCodes

        Add one of the account's short codes to a Service's pool of proxy numbers.

        Args:
            service_sid: the Proxy Service, ``KS`` followed by 32 hex digits.
            sid: the account's ShortCode SID, ``SC`` followed by 32 hex digits; required.

        Returns:
            The ``ShortCode`` pool entry.

        Raises:
            InvalidParameterError: an argument is malformed (a SID, an enum value, a type); nothing
                was sent.
        """
        return await self._create((service_sid,), locals())

    async def fetch(self, service_sid: str, sid: str) -> ShortCode:
        """GET /v1/Services/{ServiceSid}/ShortCodes/{Sid}

        Args:
            service_sid: the Proxy Service, ``KS`` followed by 32 hex digits.
            sid: the short code, ``SC`` followed by 32 hex digits.

        Returns:
            The ``ShortCode``.

        Raises:
            InvalidParameterError: a SID is malformed; nothing was sent.
            NotFoundError: there is no such ShortCode in the pool.
        """
        return await self._fetch((service_sid,), sid)

    async def update(
        self, service_sid: str, sid: str, *, is_reserved: bool | None = None
    ) -> ShortCode:
        """POST /v1/Services/{ServiceSid}/ShortCodes/{Sid}

        Args:
            service_sid: the Proxy Service, ``KS`` followed by 32 hex digits.
            sid: the short code, ``SC`` followed by 32 hex digits.
            is_reserved: True keeps Proxy from picking the short code on its own (it is then used
                only when a Participant asks for it), False returns it to the pool's automatic
                selection; default None: not sent (nothing changes).

        Returns:
            The updated ``ShortCode``.

        Raises:
            InvalidParameterError: an argument is malformed (a SID, an enum value, a type); nothing
                was sent.
            NotFoundError: the short code is not in the pool.
        """
        return await self._update((service_sid,), sid, locals())

    async def delete(self, service_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/ShortCodes/{Sid}

        Take a short code out of the Service's pool (it stays in the account).

        Args:
            service_sid: the Proxy Service, ``KS`` followed by 32 hex digits.
            sid: the short code, ``SC`` followed by 32 hex digits.

        Raises:
            InvalidParameterError: a SID is malformed; nothing was sent.
            NotFoundError: there is no such ShortCode in the pool.
        """
        await self._delete((service_sid,), sid)

    def list(
        self,
        service_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[ShortCode]:
        """GET /v1/Services/{ServiceSid}/ShortCodes

        Every short code in a Service's pool.

        Args:
            service_sid: the Proxy Service, ``KS`` followed by 32 hex digits.
            page_size: records per request to Twilio, 1 to 1000. Default None: Twilio's own page
                size (50), or ``limit`` when a smaller ``limit`` is given.
            limit: the most ShortCodes to yield in all, a positive integer. Default None: every one.
            prefetch: whether the next page is requested while you work on the current one (default
                True); False requests each page only when it is needed.

        Returns:
            An ``AsyncPager``: ``async for`` over it (no ``await`` before), ``.pages()`` for whole
            pages, ``.cursor`` and ``resume()`` to continue a stopped listing.

        Raises:
            InvalidParameterError: a SID, ``page_size`` or ``limit`` is malformed; nothing was sent.
        """
        return self._list((service_sid,), page_size=page_size, limit=limit, prefetch=prefetch)
