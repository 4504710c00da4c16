"""The shapes every implementation runs identically: a paced record loop and a worker pool."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterable, Awaitable, Callable

__all__ = ["consume", "run_pool"]


def busy(seconds: float) -> None:
    """Synchronous work that never yields to the loop (a sync driver, a CPU transform)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


async def consume(
    records: AsyncIterable[object], *, every: int, work: float, sync: bool = False
) -> int:
    """Count the records, working ``work`` seconds after each ``every`` of them: a consumer
    that writes each page's worth of records somewhere before asking for more; ``sync``
    makes that work a busy loop instead of an ``await asyncio.sleep``."""
    count = 0
    async for _record in records:
        count += 1
        if work and count % every == 0:
            if sync:
                busy(work)
            else:
                await asyncio.sleep(work)
    return count


async def run_pool(total: int, in_flight: int, call: Callable[[int], Awaitable[None]]) -> int:
    """``call(0) .. call(total - 1)`` with exactly ``in_flight`` of them running at a time."""
    numbers = itertools.count()
    done = 0

    async def worker() -> None:
        nonlocal done
        while (number := next(numbers)) < total:
            await call(number)
            done += 1

    async with asyncio.TaskGroup() as group:
        for _ in range(in_flight):
            group.create_task(worker())
    return done
