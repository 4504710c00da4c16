"""Cancellation and early exits against the real emulator, with a prefetch in flight.

Each test leaves the listing at a moment when page N+1 is on the wire, then checks that
the prefetch was let go: no connection is still held by the client, the emulator sees
its handlers finish, and (conftest) no task is left and nothing reached the loop's
exception handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from emulator_support import acquired_connections, client_for, eventually, services_only

from twilio_proxy_async import (
    AsyncPager,
    Client,
    ClientClosedError,
    Service,
    TwilioConnectionError,
)
from twilio_proxy_async.testing import Emulator, Faults

SERVICES = 9
PAGE_SIZE = 2
# Long enough that a prefetch is reliably still on the wire when the test acts.
LATENCY = 0.3


pytestmark = pytest.mark.twilio_emulator(demo=services_only(SERVICES), record_requests=True)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[Client]:
    async with client_for(emu) as opened:
        yield opened


def all_sids(emu: Emulator) -> list[str]:
    return [record["sid"] for record in emu.snapshot()["services"]]


def listing(client: Client) -> AsyncPager[Service]:
    return client.proxy.services.list(page_size=PAGE_SIZE)


async def prefetch_on_the_wire(emu: Emulator, client: Client, requests_before: int) -> None:
    await eventually(lambda: len(emu.requests) > requests_before and emu.stats.in_flight > 0)
    assert acquired_connections(client) == 1


async def test_consumer_cancelled_mid_page_cancels_the_prefetch(
    emu: Emulator, client: Client
) -> None:
    emu.faults = Faults(latency=LATENCY, seed=1)
    working = asyncio.Event()
    seen: list[str] = []

    async def consume() -> None:
        async with listing(client) as services:
            async for service in services:
                seen.append(service.sid)
                working.set()
                await asyncio.Event().wait()

    task = asyncio.create_task(consume())
    await working.wait()
    # The first page took LATENCY; its prefetch of page 2 is on the wire now.
    await prefetch_on_the_wire(emu, client, 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert acquired_connections(client) == 0
    assert seen == all_sids(emu)[:1]
    assert len(emu.requests) == 2


async def test_consumer_cancelled_while_awaiting_the_prefetch_can_resume_exactly(
    emu: Emulator, client: Client
) -> None:
    pager = listing(client)
    seen = [(await anext(pager)).sid, (await anext(pager)).sid]
    # Page 1 is consumed; the next anext waits on the prefetch, which is made slow.
    emu.faults = Faults(stall=30.0)
    waiting = asyncio.create_task(anext(pager))
    await asyncio.sleep(0.05)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert acquired_connections(client) == 0
    cursor = pager.cursor
    assert cursor is not None
    await pager.aclose()

    emu.faults = Faults()
    async with listing(client).resume(cursor) as rest:
        seen.extend([service.sid async for service in rest])
    assert seen == all_sids(emu)


async def test_break_after_one_record_inside_async_with(emu: Emulator, client: Client) -> None:
    emu.faults = Faults(latency=LATENCY)
    async with listing(client) as services:
        async for service in services:
            await prefetch_on_the_wire(emu, client, 1)
            first = service
            break
    assert first.sid == all_sids(emu)[0]
    assert acquired_connections(client) == 0
    requests_after_exit = len(emu.requests)
    await asyncio.sleep(LATENCY)
    assert len(emu.requests) == requests_after_exit == 2
    with pytest.raises(StopAsyncIteration):
        await anext(services)


async def test_plain_break_then_aclose_lets_the_prefetch_go(emu: Emulator, client: Client) -> None:
    emu.faults = Faults(latency=LATENCY)
    pager = listing(client)
    async for _service in pager:
        break
    await prefetch_on_the_wire(emu, client, 1)
    await pager.aclose()
    assert acquired_connections(client) == 0


async def test_aclose_twice_with_a_prefetch_in_flight(emu: Emulator, client: Client) -> None:
    emu.faults = Faults(latency=LATENCY)
    pager = listing(client)
    await anext(pager)
    await prefetch_on_the_wire(emu, client, 1)
    await pager.aclose()
    await pager.aclose()
    assert acquired_connections(client) == 0
    with pytest.raises(StopAsyncIteration):
        await anext(pager)
    assert len(emu.requests) == 2


async def test_async_with_exits_on_an_exception_and_lets_the_prefetch_go(
    emu: Emulator, client: Client
) -> None:
    emu.faults = Faults(latency=LATENCY)

    class Stop(Exception):
        pass

    with pytest.raises(Stop):
        async with listing(client) as services:
            async for _service in services:
                await prefetch_on_the_wire(emu, client, 1)
                raise Stop
    assert acquired_connections(client) == 0


@pytest.mark.parametrize("max_retries", [0, 3])
async def test_client_closed_under_an_open_pager_raises_client_closed(
    emu: Emulator, max_retries: int
) -> None:
    client = client_for(emu, max_retries=max_retries)
    emu.faults = Faults(latency=LATENCY)
    async with listing(client) as services:
        for _ in range(PAGE_SIZE):
            await anext(services)
        await prefetch_on_the_wire(emu, client, 1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await client.aclose()
        with pytest.raises(ClientClosedError):
            await anext(services)
        # Closing is not a reason to sit out a retry wait first.
        assert loop.time() - started < 0.1
    assert len(emu.requests) == 2


async def test_requests_cancelled_in_flight_give_their_slots_back(emu: Emulator) -> None:
    async with client_for(emu, max_concurrency=1) as client:
        emu.faults = Faults(latency=LATENCY)
        sid = all_sids(emu)[0]
        stuck = [asyncio.create_task(client.proxy.services.fetch(sid)) for _ in range(5)]
        await asyncio.sleep(0.05)
        assert emu.stats.in_flight == 1
        for task in stuck:
            task.cancel()
        results = await asyncio.gather(*stuck, return_exceptions=True)
        assert all(isinstance(result, asyncio.CancelledError) for result in results)
        assert acquired_connections(client) == 0
        emu.faults = Faults()
        async with asyncio.timeout(1):
            assert (await client.proxy.services.fetch(sid)).sid == sid


async def test_request_cancelled_during_its_retry_wait(emu: Emulator) -> None:
    async with client_for(emu) as client:
        emu.faults = Faults(rate_429=1.0, retry_after="30")
        task = asyncio.create_task(client.proxy.services.fetch(all_sids(emu)[0]))
        await eventually(lambda: bool(emu.stats.responses_by_status.get(429)))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert len(emu.requests) == 1
        assert acquired_connections(client) == 0


async def test_a_caller_timeout_around_a_listing_cleans_up(emu: Emulator, client: Client) -> None:
    emu.faults = Faults(stall=30.0)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2), listing(client) as services:
            [service async for service in services]
    assert acquired_connections(client) == 0


async def test_timeout_error_is_not_mistaken_for_client_closed(emu: Emulator) -> None:
    async with client_for(emu, timeout=0.1, max_retries=0) as client:
        emu.faults = Faults(stall=30.0)
        with pytest.raises(TwilioConnectionError) as caught:
            await anext(listing(client))
    assert not isinstance(caught.value, ClientClosedError)
