"""Proxy v1 Sessions: ``/v1/Services/{ServiceSid}/Sessions``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import ClassVar

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
    # When a Session closes, as both create and update set it.
    _shared_docs: ClassVar[Mapping[str, str]] = {
        "date_expiry": "when the Session closes by itself, a timezone-aware datetime (sent in "
        "UTC, to the second); it overrides ``ttl``. A naive datetime is refused.",
        "ttl": "seconds the Session stays open after its creation or its last Interaction, a "
        "non-negative integer; 0 means no limit. Default: the Service's ``default_ttl``.",
    }

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

        Create a Session, optionally with its Participants. Arguments left as None are not sent.

        Args:
            unique_name: your name for the Session: at most 191 characters, unique in the Service
                (keep personal data out of it); it can stand for the SID in ``fetch``.
            mode: the channels the Session carries: a ``SessionMode`` or its value
                (``message-only``, ``voice-only``, ``voice-and-message``, Twilio's default).
            status: the Session's initial status, a ``SessionStatus`` or its value; Twilio's default
                is ``open``.
            participants: up to two Participants to add at once: a sequence of mappings, each with
                ``identifier`` (required: the participant's phone number, E.164) and optionally
                ``friendly_name``, ``proxy_identifier`` (the proxy number to use) and
                ``proxy_identifier_sid`` (its ``PN...`` SID); Twilio's spellings (``Identifier``,
                ``FriendlyName``, ...) are accepted too. Each is sent as one JSON-encoded
                ``Participants`` value.
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
        """POST /v1/Services/{ServiceSid}/Sessions/{Sid}

        Change a Session's expiry or status; only the arguments given (not None) are sent.

        Args:
            status: ``closed`` ends an open or in-progress Session, ``in-progress`` reopens a closed
                one (a ``SessionStatus`` or its value); Twilio refuses other changes.
        """
        return await self._update((service_sid,), sid, locals())

    async def delete(self, service_sid: str, sid: str) -> None:
        """DELETE /v1/Services/{ServiceSid}/Sessions/{Sid}

        Delete a Session; its Participants are deleted for good with it.
        """
        await self._delete((service_sid,), sid)

    def list(
        self,
        service_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[Session]:
        """GET /v1/Services/{ServiceSid}/Sessions

        Every Session of a Service.
        """
        return self._list((service_sid,), page_size=page_size, limit=limit, prefetch=prefetch)
