"""Proxy v1 Sessions: ``/v1/Services/{ServiceSid}/Sessions``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from .._exceptions import InvalidParameterError
from .._pagination import AsyncPager
from .._params import check_sid
from .._table import SESSION_PARTICIPANT, SESSIONS
from ..models.session import Session, SessionMode, SessionStatus
from ._base import Resource

__all__ = ["Sessions"]

# Each participant is one JSON object; the table names its keys and their wire spellings.
_BY_SPELLING = {
    **{field.name: field for field in SESSION_PARTICIPANT},
    **{field.wire: field for field in SESSION_PARTICIPANT},
}


def _encode_participant(index: int, spec: object) -> str:
    where = f"participants[{index}]"
    if not isinstance(spec, Mapping):
        raise InvalidParameterError(f"{where} must be a mapping, got {spec!r}")
    values: dict[str, object] = {}
    for key, value in spec.items():
        field = _BY_SPELLING.get(key) if isinstance(key, str) else None
        if field is None:
            allowed = ", ".join(field.name for field in SESSION_PARTICIPANT)
            raise InvalidParameterError(f"{where} has an unknown key {key!r}; use {allowed}")
        if field.name in values:
            raise InvalidParameterError(f"{where} gives {field.name!r} twice (in both spellings)")
        values[field.name] = value
    encoded: dict[str, str] = {}
    for field in SESSION_PARTICIPANT:
        value = values.get(field.name)
        if value is None:
            if field.required:
                raise InvalidParameterError(f"{where} needs an {field.name!r}")
            continue
        name = f"{where}.{field.name}"
        if not isinstance(value, str) or not value:
            raise InvalidParameterError(f"{name} must be a non-empty string, got {value!r}")
        if field.sid is not None:
            check_sid(value, field.sid, name)
        encoded[field.wire] = value
    return json.dumps(encoded, separators=(",", ":"))


def _encode_participants(participants: object) -> list[str] | None:
    """One compact JSON object per participant, the form Twilio reads ``Participants`` in."""
    if participants is None:
        return None
    if isinstance(participants, str | bytes | Mapping) or not isinstance(participants, Sequence):
        raise InvalidParameterError(
            f"participants must be a sequence of mappings, got {participants!r}"
        )
    return [_encode_participant(index, spec) for index, spec in enumerate(participants)]


class Sessions(Resource[Session]):
    """Create, fetch, update, delete and list the Sessions of a Proxy Service."""

    table = SESSIONS

    async def create(
        self,
        service_sid: str,
        *,
        unique_name: str | None = None,
        date_expiry: datetime | None = None,
        ttl: int | None = None,
        mode: SessionMode | str | None = None,
        status: SessionStatus | str | None = None,
        participants: Sequence[Mapping[str, str]] | None = None,
    ) -> Session:
        """POST /v1/Services/{ServiceSid}/Sessions

        ``participants``: one mapping per participant with ``identifier`` (required),
        ``friendly_name``, ``proxy_identifier``, ``proxy_identifier_sid`` (or Twilio's
        ``Identifier``, ``FriendlyName``, ... spellings); each is sent as one JSON value.
        """
        values = {**locals(), "participants": _encode_participants(participants)}
        return await self._create((service_sid,), values)

    async def fetch(self, service_sid: str, sid_or_unique_name: str) -> Session:
        """GET /v1/Services/{ServiceSid}/Sessions/{Sid} (the SID or the unique name)"""
        return await self._fetch((service_sid,), sid_or_unique_name)

    async def update(
        self,
        service_sid: str,
        sid: str,
        *,
        date_expiry: datetime | None = None,
        ttl: int | None = None,
        status: SessionStatus | str | None = None,
    ) -> Session:
        """POST /v1/Services/{ServiceSid}/Sessions/{Sid}"""
        return await self._update((service_sid,), sid, locals())

    async def delete(self, service_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{Sid}"""
        await self._delete((service_sid,), sid)

    def list(
        self,
        service_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[Session]:
        """GET /v1/Services/{ServiceSid}/Sessions"""
        return self._list((service_sid,), page_size=page_size, limit=limit, prefetch=prefetch)
