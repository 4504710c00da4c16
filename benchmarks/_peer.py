"""The official ``twilio`` package's async path, pointed at the emulator.

Optional: import it only when ``scenarios.peer_installed()`` says the package is there.
The official client builds URLs from its Proxy domain's ``base_url``
(``https://proxy.twilio.com``); setting that one public attribute to the emulator's origin
leaves everything else (auth, headers, request, JSON parsing, instance construction) as
the package does it for Twilio. Next-page URLs come absolute from the server anyway.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from twilio.http.async_http_client import AsyncTwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]
from twilio.rest.proxy.v1.service.session import SessionInstance  # type: ignore[import-untyped]

from benchmarks._emulator import Target
from benchmarks._report import Sample
from benchmarks._workload import consume, run_pool

__all__ = [
    "AsyncTwilioHttpClient",
    "official_client",
    "official_sessions",
    "peer_decode",
    "peer_fetch",
    "peer_stream",
    "version",
]


def version() -> str:
    from twilio import __version__  # type: ignore[import-untyped]

    return str(__version__)


def official_client(target: Target, http_client: AsyncTwilioHttpClient | None) -> Client:
    client = Client(target.account_sid, target.auth_token, http_client=http_client)
    client.proxy.base_url = target.url
    return client


def official_sessions(target: Target, http_client: AsyncTwilioHttpClient) -> Any:
    """``client.proxy.v1.services(sid).sessions``: the official SessionList."""
    return official_client(target, http_client).proxy.v1.services(target.service_sid).sessions


async def peer_stream(
    target: Target, *, limit: int, page_size: int, work: float = 0.0, sync: bool = False
) -> Sample:
    # Its aiohttp session is made in the constructor, so it must be made inside the loop.
    async with AsyncTwilioHttpClient() as http_client:
        sessions = (
            official_client(target, http_client).proxy.v1.services(target.service_sid).sessions
        )
        started = time.perf_counter()
        records: AsyncIterator[object] = await sessions.stream_async(
            limit=limit, page_size=page_size
        )
        count = await consume(records, every=page_size, work=work, sync=sync)
        return Sample(time.perf_counter() - started, count)


async def peer_fetch(
    target: Target, session_sids: Sequence[str], *, total: int, in_flight: int
) -> Sample:
    async with AsyncTwilioHttpClient() as http_client:
        service = official_client(target, http_client).proxy.v1.services(target.service_sid)

        async def fetch(number: int) -> None:
            await service.sessions(session_sids[number % len(session_sids)]).fetch_async()

        started = time.perf_counter()
        done = await run_pool(total, in_flight, fetch)
        return Sample(time.perf_counter() - started, done)


def peer_decode(target: Target, body: bytes, *, repeat: int) -> Sample:
    """What the official client does with a page's text: ``json.loads``, then one
    ``SessionInstance`` per record (the work of its ``SessionPage.get_instance``)."""
    version = official_client(target, None).proxy.v1
    text = body.decode()
    count = 0
    started = time.perf_counter()
    for _ in range(repeat):
        payload = json.loads(text)
        for record in payload[payload["meta"]["key"]]:
            SessionInstance(version, record, service_sid=target.service_sid)
            count += 1
    return Sample(time.perf_counter() - started, count)
