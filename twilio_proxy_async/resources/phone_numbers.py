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

        Add one of the account's Twilio numbers to a Service's pool of proxy numbers; name it by
        ``sid`` or by ``phone_number`` (one of them is required). A number belongs to at most one
        Proxy Service.

        Args:
            sid: the number's IncomingPhoneNumber SID, ``PN`` followed by 32 hex digits.
            phone_number: the number in E.164 form (``+14155551234``: ``+``, country code,
                subscriber number, no punctuation).
            is_reserved: True keeps Proxy from picking the number on its own (it is then used only
                when a Participant asks for it); default None: not sent (not reserved).

        Returns:
            The ``PhoneNumber`` pool entry.

        Raises:
            InvalidParameterError: neither ``sid`` nor ``phone_number`` is given, or an argument is
                malformed; nothing was sent.
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
        """POST /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}

        Args:
            is_reserved: True keeps Proxy from picking the number on its own, False returns it to
                the pool's automatic selection; default None: not sent (nothing changes).
        """
        return await self._update((service_sid,), sid, locals())

    async def delete(self, service_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}

        Take a number out of the Service's pool (the number stays in the account).
        """
        await self._delete((service_sid,), sid)

    def list(
        self,
        service_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[PhoneNumber]:
        """GET /v1/Services/{ServiceSid}/PhoneNumbers

        Every number in a Service's pool.
        """
        return self._list((service_sid,), page_size=page_size, limit=limit, prefetch=prefetch)
