"""Proxy v1 Sessions: ``/v1/Services/{ServiceSid}/Sessions``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from .._exceptions import InvalidParameterError
from .._pagination import AsyncPager
from .._params import Param, check_identifier, check_sid, form_items, path
from ..models.session import Session, SessionMode, SessionStatus
from ._base import Resource

__all__ = ["Sessions"]

_FIELDS = {
    "unique_name": Param("UniqueName", str),
    "date_expiry": Param("DateExpiry", datetime),
    "ttl": Param("Ttl", int),
    "mode": Param("Mode", SessionMode),
    "status": Param("Status", SessionStatus),
    # Each participant is already one JSON string here (see _encode_participants).
    "participants": Param("Participants", list),
}

_UPDATE_FIELDS = {name: _FIELDS[name] for name in ("date_expiry", "ttl", "status")}

# Twilio's JSON key for each participant field, in the order they are sent.
_PARTICIPANT_KEYS = {
    "identifier": "Identifier",
    "friendly_name": "FriendlyName",
    "proxy_identifier": "ProxyIdentifier",
    "proxy_identifier_sid": "ProxyIdentifierSid",
}
_BY_SPELLING = {
    **{name: name for name in _PARTICIPANT_KEYS},
    **{wire: name for name, wire in _PARTICIPANT_KEYS.items()},
}


def _encode_participant(index: int, spec: object) -> str:
    where = f"participants[{index}]"
    if not isinstance(spec, Mapping):
        raise InvalidParameterError(f"{where} must be a mapping, got {spec!r}")
    values: dict[str, object] = {}
    for key, value in spec.items():
        name = _BY_SPELLING.get(key) if isinstance(key, str) else None
        if name is None:
            allowed = ", ".join(_PARTICIPANT_KEYS)
            raise InvalidParameterError(f"{where} has an unknown key {key!r}; use {allowed}")
        if name in values:
            raise InvalidParameterError(f"{where} gives {name!r} twice (in both spellings)")
        values[name] = value
    if values.get("identifier") is None:
        raise InvalidParameterError(f"{where} needs an 'identifier'")
    encoded: dict[str, str] = {}
    for name, wire in _PARTICIPANT_KEYS.items():
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise InvalidParameterError(f"{where}.{name} must be a non-empty string, got {value!r}")
        if name == "proxy_identifier_sid":
            check_sid(value, "PN", f"{where}.{name}")
        encoded[wire] = value
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


class Sessions(Resource):
    """Create, fetch, update, delete and list the Sessions of a Proxy Service."""

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
        check_sid(service_sid, "KS", "service_sid")
        form = form_items(
            _FIELDS,
            unique_name=unique_name,
            date_expiry=date_expiry,
            ttl=ttl,
            mode=mode,
            status=status,
            participants=_encode_participants(participants),
        )
        return await self._api.send(path("/v1/Services/{}/Sessions", service_sid), Session, form)

    async def fetch(self, service_sid: str, sid_or_unique_name: str) -> Session:
        """GET /v1/Services/{ServiceSid}/Sessions/{Sid} (the SID or the unique name)"""
        check_sid(service_sid, "KS", "service_sid")
        check_identifier(sid_or_unique_name, "sid_or_unique_name")
        return await self._api.fetch_one(
            path("/v1/Services/{}/Sessions/{}", service_sid, sid_or_unique_name), Session
        )

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
        check_sid(service_sid, "KS", "service_sid")
        check_sid(sid, "KC", "sid")
        form = form_items(_UPDATE_FIELDS, date_expiry=date_expiry, ttl=ttl, status=status)
        return await self._api.send(
            path("/v1/Services/{}/Sessions/{}", service_sid, sid), Session, form, idempotent=True
        )

    async def delete(self, service_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{Sid}"""
        check_sid(service_sid, "KS", "service_sid")
        check_sid(sid, "KC", "sid")
        await self._api.remove(path("/v1/Services/{}/Sessions/{}", service_sid, sid))

    def list(
        self,
        service_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[Session]:
        """GET /v1/Services/{ServiceSid}/Sessions"""
        check_sid(service_sid, "KS", "service_sid")
        return self._api.listing(
            path("/v1/Services/{}/Sessions", service_sid),
            Session,
            "sessions",
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
        )
