"""The prefetch on the wire, seen from a server in its own thread.

The server runs outside the client's event loop, so it sees a request the moment the client
writes it, even while the loop is blocked by a caller doing synchronous work.
"""

from __future__ import annotations

import asyncio
import json
import select
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from twilio_proxy_async import Client, ResponseValidationError, _pagination

from helpers import ACCOUNT, TOKEN

PAGES = 4
PER_PAGE = 2
# Bounds every wait in these tests; none is reached when the client behaves.
WAIT = 5.0


def service(n: int) -> dict[str, object]:
    return {"sid": f"KS{n:032x}", "unique_name": f"svc-{n}"}


class PageServer:
    """Serves PAGES pages of Services; notes when each page's request arrives.

    ``stall`` pages are never answered: their handler waits until the client hangs up and
    notes that in ``cut``. ``malformed`` maps a page to the index of a record it breaks.
    """

    def __init__(self) -> None:
        self.arrived = {index: threading.Event() for index in range(PAGES)}
        self.cut = {index: threading.Event() for index in range(PAGES)}
        self.stall: set[int] = set()
        # Pages answered only once their event is set; a single-Service fetch likewise.
        self.hold: dict[int, threading.Event] = {}
        self.fetch_gate = threading.Event()
        self.malformed: dict[int, int] = {}
        self.bodies: dict[int, bytes] = {}
        self.released = threading.Event()
        self.url = ""

    def body(self, index: int) -> bytes:
        records = [service(index * PER_PAGE + n) for n in range(PER_PAGE)]
        if index in self.malformed:
            records[self.malformed[index]] = {"sid": "not-a-service-sid"}
        next_url = f"{self.url}/v1/Services?PageSize={PER_PAGE}&Page={index + 1}"
        meta = {
            "key": "services",
            "page": index,
            "page_size": PER_PAGE,
            "next_page_url": next_url if index + 1 < PAGES else None,
        }
        body = json.dumps({"services": records, "meta": meta}).encode()
        self.bodies[index] = body
        return body

    def wait_for_hang_up(self, handler: BaseHTTPRequestHandler, index: int) -> None:
        connection = handler.connection
        for _ in range(int(WAIT / 0.05)):
            if self.released.is_set():
                return
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable and not connection.recv(1):
                self.cut[index].set()
                return


def handler_for(state: PageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/v1/Services":
                state.fetch_gate.wait(WAIT)
                self.answer(json.dumps(service(0)).encode())
                return
            index = int(parse_qs(parts.query).get("Page", ["0"])[0])
            state.arrived[index].set()
            if index in state.hold:
                state.hold[index].wait(WAIT)
            if index in state.stall:
                state.wait_for_hang_up(self, index)
                self.close_connection = True
                return
            self.answer(state.body(index))

        def answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@pytest.fixture
def server() -> Iterator[PageServer]:
    state = PageServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.released.set()
        state.fetch_gate.set()
        for event in state.hold.values():
            event.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(WAIT)


def busy_until(event: threading.Event) -> bool:
    """Synchronous work (a sync database driver, a file write) that never yields to the loop;
    it ends early if the server has the next page's request meanwhile."""
    return event.wait(WAIT)


@pytest.mark.parametrize("lent", [False, True], ids=["own session", "lent session"])
async def test_a_caller_that_never_awaits_still_has_the_next_page_in_flight(
    server: PageServer, lent: bool
) -> None:
    overlapped: list[bool] = []
    async with aiohttp.ClientSession() as session:
        lent_session = session if lent else None
        async with Client(ACCOUNT, TOKEN, base_url=server.url, session=lent_session) as client:
            async for page in client.proxy.services.list(page_size=PER_PAGE).pages():
                assert page.page is not None
                if page.page + 1 < PAGES:
                    overlapped.append(busy_until(server.arrived[page.page + 1]))
    # The request for page N+1 reached the server while the caller worked on page N.
    assert overlapped == [True] * (PAGES - 1)


async def test_record_by_record_callers_get_the_same_overlap(server: PageServer) -> None:
    overlapped: list[bool] = []
    async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
        count = 0
        async for _service in client.proxy.services.list(page_size=PER_PAGE):
            page, count = count // PER_PAGE, count + 1
            if count % PER_PAGE == 1 and page + 1 < PAGES:
                overlapped.append(busy_until(server.arrived[page + 1]))
    assert count == PAGES * PER_PAGE
    assert overlapped == [True] * (PAGES - 1)


async def test_break_without_aclose_cuts_the_prefetch_off(server: PageServer) -> None:
    server.stall.add(1)
    async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
        async for _service in client.proxy.services.list(page_size=PER_PAGE):
            assert await asyncio.to_thread(server.arrived[1].wait, WAIT)
            break
        # Neither aclose() nor async with: dropping the pager hung up on page 2's request.
        assert await asyncio.to_thread(server.cut[1].wait, WAIT)
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []


async def test_malformed_record_on_page_two_comes_after_exactly_the_records_before_it(
    server: PageServer,
) -> None:
    server.malformed[1] = 1
    server.stall.add(2)
    seen: list[str] = []
    async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
        with pytest.raises(ResponseValidationError, match="sid") as raised:
            async for record in client.proxy.services.list(page_size=PER_PAGE):
                seen.append(record.sid)
        # Page 3 was requested before page 2's models were built, and is let go of now.
        assert await asyncio.to_thread(server.cut[2].wait, WAIT)
    assert seen == [service(n)["sid"] for n in range(PER_PAGE + 1)]
    assert raised.value.body == server.bodies[1]
    assert raised.value.status == 200


async def test_limit_never_requests_a_page_it_does_not_need(server: PageServer) -> None:
    async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
        listing = client.proxy.services.list(page_size=PER_PAGE, limit=PER_PAGE + 1)
        got = [record.sid async for record in listing]
    assert got == [service(n)["sid"] for n in range(PER_PAGE + 1)]
    assert [server.arrived[index].is_set() for index in range(PAGES)] == [True, True, False, False]


async def test_a_prefetch_queued_behind_max_concurrency_does_not_hold_the_caller(
    server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the rule under test the pager would wait this long for the prefetch to go out.
    monkeypatch.setattr(_pagination, "SEND_WAIT", 60.0)
    server.hold[0] = threading.Event()
    async with Client(ACCOUNT, TOKEN, base_url=server.url, max_concurrency=1) as client:
        listing = client.proxy.services.list(page_size=PER_PAGE)
        first = asyncio.create_task(anext(listing))
        assert await asyncio.to_thread(server.arrived[0].wait, WAIT)
        # Queues for the only slot, which it gets when page 1 is answered, before the
        # pager's prefetch of page 2 can.
        blocker = asyncio.create_task(client.proxy.services.fetch("KS" + "0" * 32))
        for _ in range(10):
            await asyncio.sleep(0)
        server.hold[0].set()
        async with asyncio.timeout(WAIT):
            record = await first
        assert record.sid == service(0)["sid"]
        assert not server.arrived[1].is_set()
        server.fetch_gate.set()
        await blocker
        rest = [record.sid async for record in listing]
    assert rest == [service(n)["sid"] for n in range(1, PAGES * PER_PAGE)]


@pytest.mark.parametrize("lent", [False, True], ids=["own session", "lent session"])
async def test_the_pager_knows_the_request_went_out_without_waiting_for_its_answer(
    server: PageServer, monkeypatch: pytest.MonkeyPatch, lent: bool
) -> None:
    # Page 2's answer is held until the caller's work on page 1 is done, and the pager's
    # own bound is far away: only the transport's "written" signal lets page 1 through.
    monkeypatch.setattr(_pagination, "SEND_WAIT", 60.0)
    server.hold[1] = threading.Event()
    async with aiohttp.ClientSession() as session:
        lent_session = session if lent else None
        async with Client(ACCOUNT, TOKEN, base_url=server.url, session=lent_session) as client:
            pages = client.proxy.services.list(page_size=PER_PAGE).pages()
            async with asyncio.timeout(WAIT):
                first = await anext(pages)
            assert busy_until(server.arrived[1])
            server.hold[1].set()
            rest = [page async for page in pages]
    assert [first.page, *(page.page for page in rest)] == list(range(PAGES))
