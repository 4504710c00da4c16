"""Proxy v1 PhoneNumbers: ``/v1/Services/{ServiceSid}/PhoneNumbers``."""

from __future__ import annotations

from .._exceptions import InvalidParameterError
from .._pagination import AsyncPager
from .._table import PHONE_NUMBERS
from ..models.phone_number import PhoneNumber
from ._base import Resource

__all__ = ["PhoneNumbers"]


class PhoneNumbers(Resource[PhoneNumber]):
    """Add, fetch, update, remove and list the numbers in a Service's proxy pool."""

    table = PHONE_NUMBERS

    async def create(
        self,
        service_sid: str,
        *,
        sid: str | None = None,
        phone_number: str | None = None,
        is_reserved: bool | None = None,
    ) -> PhoneNumber:
        """POST /v1/Services/{ServiceSid}/PhoneNumbers

        Name the number by its IncomingPhoneNumber ``sid`` (PN...) or its E.164
        ``phone_number``; one of them is required.
        """
        if sid is None and phone_number is None:
            raise InvalidParameterError(
                "give sid (the PN... SID of an IncomingPhoneNumber) or phone_number (E.164)"
            )
        return await self._create((service_sid,), locals())

    async def fetch(self, service_sid: str, sid: str) -> PhoneNumber:
        """GET /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}"""
        return await self._fetch((service_sid,), sid)

    async def update(
        self, service_sid: str, sid: str, *, is_reserved: bool | None = None
    ) -> PhoneNumber:
        """POST /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}"""
        return await self._update((service_sid,), sid, locals())

    async def delete(self, service_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}"""
        await self._delete((service_sid,), sid)

    def list(
        self,
        service_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[PhoneNumber]:
        """GET /v1/Services/{ServiceSid}/PhoneNumbers"""
        return self._list((service_sid,), page_size=page_size, limit=limit, prefetch=prefetch)
