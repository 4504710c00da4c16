"""Against a real server on 127.0.0.1: timeouts, concurrency, prefetch overlap, lifetimes.

The server is purpose-built and scriptable, so each test controls exactly when answers come.
"""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

from twilio_proxy_async import AiohttpTransport, Client, ClientClosedError, TwilioTimeoutError
from twilio_proxy_async._http import request_written

from helpers import ACCOUNT, TOKEN

KS = "KS" + "a" * 32


def service(n: int) -> dict[str, object]:
    return {"sid": f"KS{n:032x}", "unique_name": f"svc-{n}"}


class Server:
    """An aiohttp app whose handler each test replaces; it logs raw paths and timings."""

    def __init__(self) -> None:
        self.raw_paths: list[str] = []
        self.events: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.handler: Callable[[web.Request], Awaitable[web.StreamResponse]] = self._not_set
        self.url = ""
        # Handlers that stall wait on this; the fixture sets it so none outlives the test.
        self.released = asyncio.Event()

    async def _not_set(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPNotImplemented()

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.raw_paths.append(request.raw_path)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self.handler(request)
        finally:
            self.in_flight -= 1


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", state.dispatch)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}"
    yield state
    state.released.set()
    await runner.cleanup()


def page_body(server: Server, index: int, pages: int, per_page: int) -> dict[str, object]:
    records = [service(index * per_page + n) for n in range(per_page)]
    next_url = (
        f"{server.url}/v1/Services?PageSize={per_page}&Page={index + 1}&PageToken=PT{index + 1}%3D"
        if index + 1 < pages
        else None
    )
    meta = {"key": "services", "page": index, "page_size": per_page, "next_page_url": next_url}
    return {"services": records, "meta": meta}


def page_index(request: web.Request) -> int:
    return int(request.query.get("Page", "0"))


async def test_timeout_applies_to_a_stalling_server(server: Server) -> None:
    async def stall(request: web.Request) -> web.StreamResponse:
        await server.released.wait()
        raise web.HTTPServiceUnavailable()

    server.handler = stall
    async with Client(ACCOUNT, TOKEN, base_url=server.url, timeout=0.2, max_retries=0) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(TwilioTimeoutError, match=r"within 0.2s"):
            await client.proxy.services.fetch(KS)
        assert loop.time() - started < 5


async def test_timeout_applies_to_a_body_that_stops_midway(server: Server) -> None:
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 100
        await response.prepare(request)
        await response.write(b'{"sid": "KS')
        await server.released.wait()
        return response

    server.handler = trickle
    async with Client(ACCOUNT, TOKEN, base_url=server.url, timeout=0.2, max_retries=0) as client:
        with pytest.raises(TwilioTimeoutError):
            await client.proxy.services.fetch(KS)


async def test_timeout_applies_to_prefetched_pages(server: Server) -> None:
    async def second_page_stalls(request: web.Request) -> web.StreamResponse:
        if page_index(request) == 1:
            await server.released.wait()
        return web.json_response(page_body(server, page_index(request), 3, 2))

    server.handler = second_page_stalls
    async with Client(ACCOUNT, TOKEN, base_url=server.url, timeout=0.2, max_retries=0) as client:
        seen: list[str] = []
        with pytest.raises(TwilioTimeoutError):
            async for record in client.proxy.services.list(page_size=2):
                seen.append(record.sid)
        assert seen == [service(0)["sid"], service(1)["sid"]]


async def test_max_concurrency_bounds_in_flight_requests(server: Server) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.02)
        return web.json_response(service(0))

    server.handler = slow
    async with Client(ACCOUNT, TOKEN, base_url=server.url, max_concurrency=5) as client:
        await asyncio.gather(*(client.proxy.services.fetch(KS) for _ in range(40)))
    assert server.max_in_flight == 5
    assert len(server.raw_paths) == 40


async def test_prefetches_count_against_max_concurrency(server: Server) -> None:
    async def slow_pages(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.01)
        return web.json_response(page_body(server, page_index(request), 4, 2))

    server.handler = slow_pages
    async with Client(ACCOUNT, TOKEN, base_url=server.url, max_concurrency=2) as client:

        async def drain() -> int:
            return len([s async for s in client.proxy.services.list(page_size=2)])

        counts = await asyncio.gather(*(drain() for _ in range(6)))
    assert counts == [8] * 6
    assert server.max_in_flight == 2


async def test_consumer_work_overlaps_the_next_page_fetch(server: Server) -> None:
    """Page N+1's request is served while the consumer still works on page N."""
    latency = 0.05

    async def paged(request: web.Request) -> web.StreamResponse:
        index = page_index(request)
        server.events.append(f"request {index}")
        await asyncio.sleep(latency)
        server.events.append(f"answer {index}")
        return web.json_response(page_body(server, index, 4, 2))

    server.handler = paged
    async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
        async for page in client.proxy.services.list(page_size=2).pages():
            index = page.page
            server.events.append(f"work {index} starts")
            await asyncio.sleep(latency)
            server.events.append(f"work {index} ends")
    for index in range(3):
        starts = server.events.index(f"work {index} starts")
        ends = server.events.index(f"work {index} ends")
        next_request = server.events.index(f"request {index + 1}")
        assert next_request < ends, server.events
        assert starts < ends
    # Never more than one page ahead: page 2 is not requested before work on page 0 ends.
    assert server.events.index("request 2") > server.events.index("work 0 ends")


async def test_next_page_url_is_followed_byte_for_byte(server: Server) -> None:
    async def paged(request: web.Request) -> web.StreamResponse:
        return web.json_response(page_body(server, page_index(request), 2, 1))

    server.handler = paged
    async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
        assert len([s async for s in client.proxy.services.list(page_size=1)]) == 2
    assert server.raw_paths == [
        "/v1/Services?PageSize=1",
        "/v1/Services?PageSize=1&Page=1&PageToken=PT1%3D",
    ]


async def test_path_segments_are_quoted_so_nothing_is_injected(server: Server) -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        return web.json_response(service(0))

    server.handler = echo
    async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
        await client.proxy.services.fetch("../Sessions?PageSize=1#x y")
    assert server.raw_paths == ["/v1/Services/..%2FSessions%3FPageSize%3D1%23x%20y"]


async def test_borrowed_session_is_used_and_left_open(server: Server) -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            service(0), headers={"X-Seen-Agent": request.headers["User-Agent"]}
        )

    server.handler = echo
    async with aiohttp.ClientSession() as session:
        async with Client(ACCOUNT, TOKEN, base_url=server.url, session=session) as client:
            await client.proxy.services.fetch(KS)
        assert not session.closed
        async with session.get(server.url + "/v1/Services/x") as response:
            assert response.status == 200


async def test_own_session_is_closed_on_exit(server: Server) -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        return web.json_response(service(0))

    server.handler = echo
    transport = AiohttpTransport()
    client = Client(ACCOUNT, TOKEN, base_url=server.url, transport=transport)
    async with client:
        await client.proxy.services.fetch(KS)
        session = transport.session
        assert session is not None and not session.closed
    assert session.closed
    assert client.closed


async def test_client_left_open_warns_resource_warning(server: Server) -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        return web.json_response(service(0))

    server.handler = echo
    transport = AiohttpTransport()
    client = Client(ACCOUNT, TOKEN, base_url=server.url, transport=transport)
    await client.proxy.services.fetch(KS)
    session = transport.session
    assert session is not None
    with pytest.warns(ResourceWarning, match="never closed"):
        del client
        gc.collect()
    await session.close()


async def test_client_works_without_async_with_and_closes_by_hand(server: Server) -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        return web.json_response(json.loads(json.dumps(service(0))))

    server.handler = echo
    client = Client(ACCOUNT, TOKEN, base_url=server.url)
    assert (await client.proxy.services.fetch(KS)).unique_name == "svc-0"
    await client.aclose()
    await client.aclose()


async def test_a_lent_session_closed_by_its_owner_gives_client_closed_error(
    server: Server,
) -> None:
    server.handler = lambda request: _json_service()
    session = aiohttp.ClientSession()
    async with Client(ACCOUNT, TOKEN, base_url=server.url, session=session) as client:
        await session.close()
        with pytest.raises(ClientClosedError, match="lent to this client has been closed"):
            await client.proxy.services.fetch(KS)
    assert server.raw_paths == []


async def _json_service() -> web.StreamResponse:
    return web.json_response(service(0))


async def test_only_a_request_waiting_for_its_written_signal_carries_the_trace(
    server: Server,
) -> None:
    # The trace costs every request it rides on; a fetch must not carry it, a prefetch must
    # still be told, and both must share one pool of connections.
    peers: list[object] = []

    async def echo(request: web.Request) -> web.StreamResponse:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return web.json_response(service(0))

    server.handler = echo
    transport = AiohttpTransport()
    url = f"{server.url}/v1/Services/{KS}"
    written: list[str] = []
    plain = await transport.send("GET", url, {}, None, time_limit=5.0)
    session = transport.session
    assert session is not None and session.trace_configs == []
    token = request_written.set(lambda: written.append("written"))
    try:
        traced = await transport.send("GET", url, {}, None, time_limit=5.0)
    finally:
        request_written.reset(token)
    assert (plain.status, traced.status, written) == (200, 200, ["written"])
    # The second request went out on the first one's kept-alive connection.
    assert len(peers) == 2 and peers[0] == peers[1]
    await transport.aclose()
    assert session.closed and not transport.owns_open_session
