"""Shared pieces of the fault, cancellation, load and security tests.

A scriptable loopback server for the faults the emulator cannot produce, and probes for
leaked connections. (Retry waits: ``twilio_proxy_async.testing.instant_retry_waits``.)
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import attrs
from aiohttp import web

from twilio_proxy_async import AiohttpTransport, Client
from twilio_proxy_async.testing import DemoData, Emulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def services_only(count: int) -> DemoData:
    """Demo data of ``count`` Proxy Services and nothing else: a listing to page through."""
    counts = {field.name: 0 for field in attrs.fields(DemoData) if field.name != "seed"}
    return DemoData(**{**counts, "services": count})


# The HTTP transport each client_for() client sends through, to look at its connections.
_TRANSPORTS: weakref.WeakKeyDictionary[Client, AiohttpTransport] = weakref.WeakKeyDictionary()


def client_for(emu: Emulator, **settings: Any) -> Client:
    if "session" not in settings and "transport" not in settings:
        settings["transport"] = AiohttpTransport()
    client = Client(emu.account_sid, emu.auth_token, base_url=emu.url, **settings)
    if isinstance(settings.get("transport"), AiohttpTransport):
        _TRANSPORTS[client] = settings["transport"]
    return client


async def eventually(condition: Callable[[], bool], *, within: float = 2.0) -> None:
    """Wait until ``condition()`` holds; TimeoutError after ``within`` seconds."""
    async with asyncio.timeout(within):
        # Emulator counters have no event to wait on, so they are polled.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def wait_until_idle(emu: Emulator, *, within: float = 5.0) -> None:
    """Wait for every handler the emulator is running to finish (a latency may hold one)."""
    await eventually(lambda: not emu.stats.in_flight, within=within)


def acquired_connections(client: Client) -> int:
    """Connections the client's own session holds for a request right now."""
    session = _TRANSPORTS[client].session
    if session is None or session.connector is None:
        return 0
    return len(session.connector._acquired)


class LoopbackServer:
    """An aiohttp server on 127.0.0.1 whose answer each test scripts through ``handler``."""

    def __init__(self) -> None:
        self.url = ""
        self.raw_paths: list[str] = []
        self.authorizations: list[str | None] = []
        self.handler: Handler = self._unscripted
        # Stalling handlers wait on this; it is set at shutdown so none outlives its test.
        self.released = asyncio.Event()

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    async def _unscripted(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPNotImplemented()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.raw_paths.append(request.raw_path)
        self.authorizations.append(request.headers.get("Authorization"))
        return await self.handler(request)


@asynccontextmanager
async def loopback_server(handler: Handler | None = None) -> AsyncIterator[LoopbackServer]:
    server = LoopbackServer()
    if handler is not None:
        server.handler = handler
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server._dispatch)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        yield server
    finally:
        server.released.set()
        await runner.cleanup()


def rss_bytes() -> int:
    """This process's resident set size, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmRSS is missing from /proc/self/status")
