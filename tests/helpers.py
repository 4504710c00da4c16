"""Shared test helpers: credentials, recorded-request access, spec examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aioresponses import aioresponses
from yarl import URL

ACCOUNT = "AC" + "0" * 31 + "1"
TOKEN = "test-auth-token-not-secret"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def sent(mocked: aioresponses) -> list[tuple[str, str, list[tuple[str, str]], dict[str, str]]]:
    """Every request aioresponses saw: (method, url, form pairs, headers), in order."""
    calls = []
    for (method, url), requests in mocked.requests.items():
        for request in requests:
            data = request.kwargs.get("data")
            form = parse_qsl(data.decode(), keep_blank_values=True) if data else []
            calls.append((method, str(url), form, dict(request.kwargs.get("headers") or {})))
    return calls


def spec(name: str) -> dict[str, Any]:
    """A spec from ../shared/openapi, or skip the test when ../shared is absent."""
    path = SHARED / "openapi" / name
    if not path.exists():
        pytest.skip(f"{path} is absent (a clone without ../shared)")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def example(spec_name: str, path: str, method: str, status: str) -> dict[str, Any]:
    """The first response example of an operation."""
    content = spec(spec_name)["paths"][path][method]["responses"][status]["content"]
    examples = content["application/json"]["examples"]
    value: dict[str, Any] = next(iter(examples.values()))["value"]
    return value


def url(text: str) -> URL:
    return URL(text, encoded=True)
