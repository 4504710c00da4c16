"""Suite-wide guards: every test fails on anything the event loop reports or leaks."""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import aioresponses.core
import pytest


def _teach_aioresponses_stream_writer() -> None:
    """aiohttp 3.14 (a security release) added a required ``stream_writer`` argument to
    ClientResponse that aioresponses 0.7.x does not pass (aioresponses issue #289). The
    mocked response never writes, so a writer that reports zero bytes sent is faithful."""
    signature = inspect.signature(aiohttp.ClientResponse.__init__)
    if "stream_writer" not in signature.parameters:
        return

    class _NothingWritten:
        output_size = 0

    class _MockedResponse(aiohttp.ClientResponse):
        def __init__(self, method: str, url: Any, **kwargs: Any) -> None:
            kwargs.setdefault("stream_writer", _NothingWritten())
            super().__init__(method, url, **kwargs)

    aioresponses.core.ClientResponse = _MockedResponse  # type: ignore[misc]


_teach_aioresponses_stream_writer()


@pytest.fixture(autouse=True)
async def loop_reports_nothing() -> AsyncIterator[None]:
    """Fail the test on any call to the loop's exception handler (a "Task exception was
    never retrieved", an unclosed connection, a callback error) and on tasks left running."""
    loop = asyncio.get_running_loop()
    reports: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    try:
        yield
        for _ in range(3):
            await asyncio.sleep(0)
        gc.collect()
        leaked = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        assert not leaked, f"tasks left running: {leaked}"
        assert not reports, f"the event loop reported: {reports}"
    finally:
        loop.set_exception_handler(previous)
