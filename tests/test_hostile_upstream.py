"""The client against a hostile or broken server (issue #11, items 1-5 and 7).

Every server here binds to 127.0.0.1; every one either answers once or streams a bounded
amount, and stops when the client hangs up.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress

import aiohttp
import pytest
from aiohttp import web
from aioresponses import aioresponses
from emulator_support import loopback_server
from leak_support import exception_text, leaks, reachable_exceptions
from yarl import URL

from twilio_proxy_async import (
    MAX_RESPONSE_BYTES,
    AiohttpTransport,
    BadRequestError,
    Client,
    ConflictError,
    EventLoopError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    TwilioConnectionError,
    TwilioTimeoutError,
    _json,
)
from twilio_proxy_async.testing import instant_retry_waits

from helpers import ACCOUNT, TOKEN

KS = "KS" + "a" * 32
SERVICE = {"sid": KS, "unique_name": "svc"}
SERVICES_URL = "https://proxy.twilio.com/v1/Services"
SERVICE_URL = f"{SERVICES_URL}/{KS}"
MiB = 1024 * 1024
DEEP = b"[" * 100_000 + b"]" * 100_000


@asynccontextmanager
async def raw_server(answer: bytes) -> AsyncIterator[str]:
    """A TCP server on 127.0.0.1 that reads one request head, writes ``answer`` verbatim,
    and holds the connection until the client hangs up (at most 5 s)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(5):
                await reader.readuntil(b"\r\n\r\n")
                writer.write(answer)
                await writer.drain()
                await reader.read()
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def traced_peak() -> Iterator[list[int]]:
    """The peak of Python-allocated memory inside the block, in bytes (filled on exit)."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


# --- item 1: the response size cap --------------------------------------------------


async def test_a_gzip_bomb_stops_at_the_limit_with_memory_bounded() -> None:
    inflated = 256 * MiB
    bomb = gzip.compress(b"\0" * inflated, compresslevel=9)
    assert len(bomb) < MiB

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip"})

    async with loopback_server(handler) as server:
        transport = AiohttpTransport(max_response_bytes=MiB)
        async with Client(ACCOUNT, TOKEN, base_url=server.url, transport=transport) as client:
            with traced_peak() as peak, pytest.raises(ResponseTooLargeError) as caught:
                await client.proxy.services.fetch(KS)
    assert caught.value.limit == MiB
    assert caught.value.method == "GET"
    # Not retried: the same request would bring the same body.
    assert len(server.raw_paths) == 1
    # Reading stopped near the limit: nowhere near the 256 MiB the body inflates to.
    assert peak[0] < 16 * MiB


async def test_a_two_gigabyte_content_length_is_refused_before_reading() -> None:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n"
    )
    async with (
        raw_server(head + b'{"sid": "') as url,
        Client(ACCOUNT, TOKEN, base_url=url, timeout=5) as client,
    ):
        with pytest.raises(ResponseTooLargeError) as caught:
            await client.proxy.services.fetch(KS)
    assert caught.value.limit == MAX_RESPONSE_BYTES == 32 * MiB
    assert f"{MAX_RESPONSE_BYTES:,} bytes" in str(caught.value)


async def test_an_endless_chunked_body_stops_at_the_default_limit() -> None:
    chunk = b" " * (64 * 1024)
    written: list[int] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        # Twice the limit at most, so the test is bounded even if the cap failed.
        for _ in range(2 * MAX_RESPONSE_BYTES // len(chunk)):
            try:
                await response.write(chunk)
            except ConnectionError:
                break
            written.append(len(chunk))
        return response

    async with (
        loopback_server(endless) as server,
        Client(ACCOUNT, TOKEN, base_url=server.url, timeout=30) as client,
    ):
        with pytest.raises(ResponseTooLargeError):
            await client.proxy.services.fetch(KS)
    assert sum(written) < 2 * MAX_RESPONSE_BYTES


# --- item 2: no credential reachable from an SDK error -----------------------------


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\n{}", id="bad-status-line"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", id="oversized-header"
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n",
            id="bad-chunk",
        ),
    ],
)
async def test_a_malformed_answer_leaves_no_credential_in_the_exception_chain(
    answer: bytes,
) -> None:
    secret = "tok3n-that-must-never-leak-0123456789"
    async with (
        raw_server(answer) as url,
        Client(ACCOUNT, secret, base_url=url, max_retries=0) as client,
    ):
        with pytest.raises(TwilioConnectionError) as caught:
            await client.proxy.services.fetch(KS)
    error = caught.value
    # The aiohttp exception (whose repr holds the request headers) is not linked at all.
    assert reachable_exceptions(error) == [error]
    assert error.__cause__ is None and error.__context__ is None
    text = exception_text(error)
    assert not leaks(text, secret, ACCOUNT), text
    assert "Basic " not in text


# --- item 3: odd bodies give the typed error, and retries still apply --------------


@pytest.fixture(params=["stdlib", "speedups"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "stdlib":
        monkeypatch.setattr(_json, "loads", json.loads)
    elif _json.PARSER != "orjson":
        pytest.skip("orjson (the speedups extra) is not installed")
    return str(request.param)


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with Client(ACCOUNT, TOKEN) as opened:
        instant_retry_waits(opened)
        yield opened


@asynccontextmanager
async def scripted(*answers: tuple[int, bytes]) -> AsyncIterator[tuple[Client, list[str]]]:
    """A client against a loopback server giving ``answers`` in order, one per request
    (aioresponses cannot feed a body past aiohttp's read buffer, and DEEP is one)."""
    script = list(answers)

    async def answer(request: web.Request) -> web.StreamResponse:
        status, body = script.pop(0)
        return web.Response(status=status, body=body, content_type="application/json")

    async with (
        loopback_server(answer) as server,
        Client(ACCOUNT, TOKEN, base_url=server.url) as opened,
    ):
        instant_retry_waits(opened)
        yield opened, server.raw_paths
    assert script == [], "every scripted answer was asked for"


async def test_a_deeply_nested_record_is_a_validation_error(parser: str) -> None:
    async with scripted((200, DEEP)) as (client, _):
        with pytest.raises(ResponseValidationError) as caught:
            await client.proxy.services.fetch(KS)
    assert caught.value.body == DEEP
    assert "nested too deeply" in caught.value.reason or parser == "speedups"


async def test_a_deeply_nested_page_is_a_validation_error(parser: str) -> None:
    async with scripted((200, DEEP)) as (client, _):
        with pytest.raises(ResponseValidationError) as caught:
            await anext(client.proxy.services.list())
    assert caught.value.body == DEEP


ODD_BODIES = [
    pytest.param(DEEP, id="nested-100000-deep"),
    pytest.param(b'{"code": "\xc2\xb2", "message": "odd"}', id="superscript-code"),
    pytest.param(b'{"code": "' + b"7" * 5000 + b'", "message": "odd"}', id="long-code"),
    pytest.param(b'{"code": ' + b"7" * 5000 + b', "message": "odd"}', id="long-number"),
    pytest.param(b'{"code": 1e400, "message": "odd"}', id="infinite-code"),
]


@pytest.mark.parametrize("body", ODD_BODIES)
async def test_an_odd_error_body_gives_the_typed_error_and_keeps_it(body: bytes) -> None:
    answers = [(400, body)] + [(500, body)] * 4
    async with scripted(*answers) as (client, paths):
        with pytest.raises(BadRequestError) as bad:
            await client.proxy.services.create(unique_name="x")
        with pytest.raises(ServerError) as failed:
            await client.proxy.services.fetch(KS)
    assert (bad.value.status, bad.value.code, bad.value.body) == (400, None, body)
    assert (failed.value.status, failed.value.code, failed.value.attempts) == (500, None, 4)
    assert len(paths) == 5


@pytest.mark.parametrize("body", ODD_BODIES)
async def test_a_429_with_an_odd_body_is_still_retried(body: bytes) -> None:
    answers = [(429, body), (200, json.dumps(SERVICE).encode())] + [(429, body)] * 4
    async with scripted(*answers) as (client, _):
        assert (await client.proxy.services.fetch(KS)).sid == KS
        with pytest.raises(RateLimitError) as caught:
            await client.proxy.services.create(unique_name="x")
    assert caught.value.attempts == 4
    assert "after 4 attempts" in str(caught.value)


# --- item 4: a lent session that raises on 4xx/5xx changes nothing -----------------


async def test_a_lent_session_with_raise_for_status_keeps_the_sdks_status_handling() -> None:
    answers = [
        web.json_response({"code": 20404, "message": "nope", "status": 404}, status=404),
        web.json_response({"code": 54301, "message": "taken", "status": 409}, status=409),
        web.json_response(
            {"code": 20429, "message": "slow", "status": 429},
            status=429,
            headers={"Retry-After": "0"},
        ),
        web.json_response(SERVICE),
    ]

    async def scripted(request: web.Request) -> web.StreamResponse:
        return answers.pop(0)

    async with (
        loopback_server(scripted) as server,
        aiohttp.ClientSession(raise_for_status=True) as session,
        Client(ACCOUNT, TOKEN, base_url=server.url, session=session) as client,
    ):
        with pytest.raises(NotFoundError) as missing:
            await client.proxy.services.fetch(KS)
        assert (missing.value.code, missing.value.attempts) == (20404, 1)
        with pytest.raises(ConflictError) as conflict:
            await client.proxy.services.create(unique_name="taken")
        assert conflict.value.code == 54301
        assert (await client.proxy.services.fetch(KS)).sid == KS
    # One request per answer: no retry of the 404 or the 409, one of the 429.
    assert len(server.raw_paths) == 4
    assert answers == []


# --- item 5: a connection that never opened may be retried, even for a POST --------


async def test_a_connect_timeout_on_a_post_is_retried(client: Client, mocked: aioresponses) -> None:
    mocked.post(SERVICES_URL, exception=aiohttp.ConnectionTimeoutError("connect"))
    mocked.post(SERVICES_URL, payload=SERVICE, status=201)
    assert (await client.proxy.services.create(unique_name="svc")).sid == KS
    assert len(mocked.requests[("POST", URL(SERVICES_URL))]) == 2


@pytest.mark.parametrize(
    "failure",
    [aiohttp.SocketTimeoutError("read"), aiohttp.ServerDisconnectedError(), TimeoutError()],
    ids=["read-timeout", "disconnected", "total-timeout"],
)
async def test_a_failure_after_the_request_left_is_not_retried_for_a_post(
    client: Client, mocked: aioresponses, failure: BaseException
) -> None:
    mocked.post(SERVICES_URL, exception=failure)
    with pytest.raises(TwilioConnectionError) as caught:
        await client.proxy.services.create(unique_name="svc")
    assert caught.value.attempts == 1
    assert len(mocked.requests[("POST", URL(SERVICES_URL))]) == 1


async def test_a_connect_that_stalls_on_a_real_socket_is_retried_for_a_post() -> None:
    # A listening socket whose accept queue is full: the kernel drops new SYNs, so a
    # connect hangs the way it does towards a black-holed address.
    listener = socket.socket()
    fillers = [socket.socket() for _ in range(4)]
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for filler in fillers:
            filler.setblocking(False)
            with suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        await asyncio.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        # The connect phase gets 90 % of it: a second leaves a 100 ms margin on a loaded machine.
        async with Client(ACCOUNT, TOKEN, base_url=url, timeout=1.0, max_retries=1) as client:
            sleeps = instant_retry_waits(client)
            with pytest.raises(TwilioTimeoutError) as caught:
                await client.proxy.services.create(unique_name="svc")
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
    assert "could not connect" in str(caught.value)
    assert caught.value.attempts == 2
    assert len(sleeps.delays) == 1


# --- item 7: a second event loop ----------------------------------------------------


def test_a_client_used_from_a_second_event_loop_raises_a_clear_error() -> None:
    client = Client(ACCOUNT, TOKEN)
    first = asyncio.new_event_loop()
    second = asyncio.new_event_loop()
    try:
        with aioresponses() as mocked:
            mocked.get(SERVICE_URL, payload=SERVICE)
            first.run_until_complete(client.proxy.services.fetch(KS))
            with pytest.raises(EventLoopError, match="another event loop"):
                second.run_until_complete(client.proxy.services.fetch(KS))
            assert len(mocked.requests[("GET", URL(SERVICE_URL))]) == 1
        with pytest.raises(EventLoopError):
            second.run_until_complete(client.aclose())
        first.run_until_complete(client.aclose())
        assert client.closed
    finally:
        first.close()
        second.close()
