"""The requests a test sends and the records it answers with: test credentials, what
aioresponses recorded, models as Twilio's JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import attrs
from aioresponses import aioresponses
from yarl import URL

from twilio_proxy_async import AsyncPager, to_dict

# The account SID of Twilio's own examples, so example bodies and requests line up.
ACCOUNT = "AC" + "a" * 32
TOKEN = "auth-token-for-tests"


class Sent(NamedTuple):
    method: str
    url: str
    form: list[tuple[str, str]] | None  # None: no body was sent
    headers: dict[str, str]


def sent(mocked: aioresponses) -> list[Sent]:
    """Every request aioresponses recorded, in order."""
    calls = []
    for (method, url), requests in mocked.requests.items():
        for request in requests:
            data = request.kwargs.get("data")
            form = None if data is None else parse_qsl(data.decode(), keep_blank_values=True)
            calls.append(Sent(method, str(url), form, dict(request.kwargs.get("headers") or {})))
    return calls


def wire(model: attrs.AttrsInstance) -> dict[str, Any]:
    """A model as the JSON record Twilio sends for it: the SDK's own serializer."""
    return to_dict(model)


def url(text: str) -> URL:
    return URL(text, encoded=True)


async def invoke(method: Callable[..., Any], args: list[str], kwargs: dict[str, object]) -> Any:
    """Call an SDK method; a listing is walked to the end and its records returned."""
    outcome = method(*args, **kwargs)
    if isinstance(outcome, AsyncPager):
        async with outcome as records:
            return [record async for record in records]
    return await outcome
