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
            sid: the account's ShortCode SID, ``SC`` followed by 32 hex digits; required.

        Returns:
            The ``ShortCode`` pool entry.
        """
        return await self._create((service_sid,), locals())

    async def fetch(self, service_sid: str, sid: str) -> ShortCode:
        """GET /v1/Services/{ServiceSid}/ShortCodes/{Sid}"""
        return await self._fetch((service_sid,), sid)

    async def update(
        self, service_sid: str, sid: str, *, is_reserved: bool | None = None
    ) -> ShortCode:
        """POST /v1/Services/{ServiceSid}/ShortCodes/{Sid}

        Args:
            is_reserved: True keeps Proxy from picking the short code on its own (it is then used
                only when a Participant asks for it), False returns it to the pool's automatic
                selection; default None: not sent (nothing changes).
        """
        return await self._update((service_sid,), sid, locals())

    async def delete(self, service_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/ShortCodes/{Sid}

        Take a short code out of the Service's pool (it stays in the account).
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
        """
        return self._list((service_sid,), page_size=page_size, limit=limit, prefetch=prefetch)
