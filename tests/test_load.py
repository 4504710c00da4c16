"""10,000 requests, 200 in flight, against an emulator that admits only 100 at a time.

Everything must complete through 429 retries, the client must never hold more than its
max_concurrency connections, and memory must not grow with the number of requests.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator

from emulator_support import acquired_connections, client_for, rss_bytes

from twilio_proxy_async import Client, ConcurrencyLimiter
from twilio_proxy_async.testing import Emulator, Faults

REQUESTS = 10_000
IN_FLIGHT = 200
# More workers than the client admits, so the bound is the client's doing.
WORKERS = 250
SERVER_LIMIT = 100
WARM_UP = 1_000
MIB = 1024 * 1024


async def run_bounded(client: Client, emu: Emulator, sid: str, count: int) -> int:
    """``count`` fetches by WORKERS workers sharing one queue of work; returns how
    many succeeded. The emulator records no requests, so the memory measured is the SDK's."""
    work: Iterator[int] = iter(range(count))
    done = 0

    async def worker() -> None:
        nonlocal done
        for _ in work:
            service = await client.proxy.services.fetch(sid)
            assert service.sid == sid
            done += 1

    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    return done


class ConnectionPeak:
    """Samples how many connections the client holds for requests, every millisecond."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, acquired_connections(self._client))
            await asyncio.sleep(0.001)

    async def __aenter__(self) -> ConnectionPeak:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.wait([self._task])


async def test_ten_thousand_requests_through_a_429_storm(emu: Emulator) -> None:
    # Latency keeps each admitted request open long enough for the limit to bite;
    # Retry-After: 0 makes the throttled ones come straight back. A fixed limit keeps the
    # storm going (an adaptive one would settle under the server's limit).
    fixed = ConcurrencyLimiter(IN_FLIGHT, adaptive=False)
    async with client_for(emu, limiter=fixed, max_retries=50) as client:
        sid = (await client.proxy.services.create(unique_name="loaded")).sid
        emu.faults = Faults(concurrency_limit=SERVER_LIMIT, latency=0.005, retry_after="0")
        assert await run_bounded(client, emu, sid, WARM_UP) == WARM_UP
        gc.collect()
        throttled_before = emu.stats.responses_by_status.get(429, 0)
        rss_before = rss_bytes()
        started = time.perf_counter()

        async with ConnectionPeak(client) as connections:
            assert await run_bounded(client, emu, sid, REQUESTS) == REQUESTS

        elapsed = time.perf_counter() - started
        gc.collect()
        growth = rss_bytes() - rss_before
        assert acquired_connections(client) == 0
    stats = emu.stats
    throttled = stats.responses_by_status.get(429, 0) - throttled_before
    print(
        f"\n{REQUESTS} requests in {elapsed:.1f}s, client connections at most "
        f"{connections.peak}, emulator max in flight {stats.max_in_flight}, "
        f"{throttled} answered 429 and retried, RSS growth {growth / MIB:.1f} MiB"
    )
    assert stats.responses_by_status[200] == WARM_UP + REQUESTS
    assert throttled > 0, "the server limit was never reached: the test proves nothing"
    assert SERVER_LIMIT < connections.peak <= IN_FLIGHT
    # The emulator turns away what is over its limit at once, so it never holds more.
    assert stats.max_in_flight <= SERVER_LIMIT + 1
    assert stats.in_flight == 0
    assert growth < 30 * MIB
