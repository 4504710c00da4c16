"""The prefetch on the wire, seen from a server in its own thread (``page_server_support``)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import aiohttp
import pytest
from page_server_support import PAGES, PER_PAGE, WAIT, PageServer, busy_until, page_server, service

from twilio_proxy_async import Client, ResponseValidationError, _pagination

from helpers import ACCOUNT, TOKEN


@pytest.fixture
def server() -> Iterator[PageServer]:
    with page_server() as state:
        yield state


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
