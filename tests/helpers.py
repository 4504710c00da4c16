"""Shared test helpers: credentials, recorded-request access, records in Twilio's shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import parse_qsl

import attrs
from aioresponses import aioresponses
from yarl import URL

ACCOUNT = "AC" + "0" * 31 + "1"
TOKEN = "test-auth-token-not-secret"


def sent(mocked: aioresponses) -> list[tuple[str, str, list[tuple[str, str]], dict[str, str]]]:
    """Every request aioresponses saw: (method, url, form pairs, headers), in order."""
    calls = []
    for (method, url), requests in mocked.requests.items():
        for request in requests:
            data = request.kwargs.get("data")
            form = parse_qsl(data.decode(), keep_blank_values=True) if data else []
            calls.append((method, str(url), form, dict(request.kwargs.get("headers") or {})))
    return calls


def _wire_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {key: _wire_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_wire_value(item) for item in value]
    return value


def wire(model: attrs.AttrsInstance) -> dict[str, Any]:
    """A model as the JSON record Twilio sends for it (Twilio's names, ``...Z`` times)."""
    fields = attrs.fields(type(model))
    return {field.name: _wire_value(getattr(model, field.name)) for field in fields}


def url(text: str) -> URL:
    return URL(text, encoded=True)
