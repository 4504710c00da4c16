"""The suite's guards and its shared fixtures.

Guards: every test fails on anything the event loop reports or leaks.

Fixtures: ``client`` (a Client whose requests ``mocked`` answers, no retries), ``mocked``
(aioresponses), ``emu`` (an emulator: the package's own pytest plugin's ``twilio_emulator``,
configured per module or test with ``@pytest.mark.twilio_emulator(...)``), ``api`` (raw HTTP
to ``emu``), ``world`` (``emu`` holding one record of every collection of the table).

Helpers, one support module per concern: ``helpers`` (requests and records),
``table_support`` (the SDK method and field values of each operation of the table),
``proxy_support`` (the Proxy example world), ``emulator_http`` (raw HTTP to the emulator),
``emulator_support`` (faults, leaks), ``export_support`` (exported files), ``cli_support``
(the console script as a process), ``spec_support`` and ``shared_support`` (the conformance
tests' ``../shared``). No test module imports another.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import aioresponses.core
import pytest
from aioresponses import aioresponses as Mocked
from emulator_http import Api, World

from twilio_proxy_async import Client
from twilio_proxy_async.testing import Emulator

from helpers import ACCOUNT, TOKEN


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


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    """A client on Twilio's real origins whose every request ``mocked`` answers; a failure
    is raised at once (``max_retries=0``) unless a test asks for retries itself."""
    async with Client(ACCOUNT, TOKEN, max_retries=0) as made:
        yield made


@pytest.fixture
def mocked() -> Iterator[Mocked]:
    with Mocked() as mock:
        yield mock


@pytest.fixture
def emu(twilio_emulator: Emulator) -> Emulator:
    """The test's emulator, from the package's own pytest plugin (so the suite uses what
    users get); options per module with ``pytestmark = pytest.mark.twilio_emulator(...)``."""
    return twilio_emulator


@pytest.fixture
async def api(emu: Emulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(emu, session)


@pytest.fixture
async def world(api: Api) -> World:
    """``emu`` holding one record of every collection of the table."""
    built = World(api)
    await built.build()
    return built
