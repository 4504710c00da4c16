"""Proxy v1 PhoneNumbers: ``/v1/Services/{ServiceSid}/PhoneNumbers``."""

from __future__ import annotations

from .._exceptions import InvalidParameterError
from .._pagination import AsyncPager
from .._params import Param, check_sid, form_items, path
from ..models.phone_number import PhoneNumber
from ._base import Resource

__all__ = ["PhoneNumbers"]

_FIELDS = {
    "sid": Param("Sid", str, sid="PN"),
    "phone_number": Param("PhoneNumber", str),
    "is_reserved": Param("IsReserved", bool),
}

_UPDATE_FIELDS = {"is_reserved": _FIELDS["is_reserved"]}

_COLLECTION = "/v1/Services/{}/PhoneNumbers"
_INSTANCE = _COLLECTION + "/{}"


class PhoneNumbers(Resource):
    """Add, fetch, update, remove and list the numbers in a Service's proxy pool."""

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
        check_sid(service_sid, "KS", "service_sid")
        if sid is None and phone_number is None:
            raise InvalidParameterError(
                "give sid (the PN... SID of an IncomingPhoneNumber) or phone_number (E.164)"
            )
        form = form_items(_FIELDS, sid=sid, phone_number=phone_number, is_reserved=is_reserved)
        return await self._api.send(path(_COLLECTION, service_sid), PhoneNumber, form)

    async def fetch(self, service_sid: str, sid: str) -> PhoneNumber:
        """GET /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}"""
        check_sid(service_sid, "KS", "service_sid")
        check_sid(sid, "PN", "sid")
        return await self._api.fetch_one(path(_INSTANCE, service_sid, sid), PhoneNumber)

    async def update(
        self, service_sid: str, sid: str, *, is_reserved: bool | None = None
    ) -> PhoneNumber:
        """POST /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}"""
        check_sid(service_sid, "KS", "service_sid")
        check_sid(sid, "PN", "sid")
        form = form_items(_UPDATE_FIELDS, is_reserved=is_reserved)
        return await self._api.send(
            path(_INSTANCE, service_sid, sid), PhoneNumber, form, idempotent=True
        )

    async def delete(self, service_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/PhoneNumbers/{Sid}"""
        check_sid(service_sid, "KS", "service_sid")
        check_sid(sid, "PN", "sid")
        await self._api.remove(path(_INSTANCE, service_sid, sid))

    def list(
        self,
        service_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[PhoneNumber]:
        """GET /v1/Services/{ServiceSid}/PhoneNumbers"""
        check_sid(service_sid, "KS", "service_sid")
        return self._api.listing(
            path(_COLLECTION, service_sid),
            PhoneNumber,
            "phone_numbers",
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
        )
