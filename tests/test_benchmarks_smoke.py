"""The benchmark scenarios at a tiny size: they run, count every record, and report sane
numbers. No timing is asserted; ``python -m benchmarks`` is where speed is judged."""

from __future__ import annotations

import dataclasses
import math
import sys
from pathlib import Path

import pytest

# benchmarks/ is not an installed package, and plain `pytest` (unlike `python -m pytest`)
# does not put the project root on sys.path.
PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
if PROJECT_ROOT not in sys.path:
    sys.path.insert(0, PROJECT_ROOT)

from benchmarks._report import ScenarioResult, render  # noqa: E402
from benchmarks.scenarios import (  # noqa: E402
    QUICK,
    SCENARIOS,
    run_all,
    speedups_installed,
)

# Tiny and one memory size only: every memory run is a fresh interpreter.
SMOKE = dataclasses.replace(QUICK, memory_counts=(300,))


def _assert_sane(results: list[ScenarioResult], implementations: set[str]) -> None:
    assert len(results) == len(SCENARIOS)
    for result in results:
        assert result.measurements, result.title
        for measurement in result.measurements:
            assert all(math.isfinite(v) and v > 0 for v in measurement.samples), measurement
            assert measurement.count > 0
        for check in result.checks:
            assert math.isfinite(check.measured) and check.measured > 0, check
    stream, overlap, concurrency, decode, memory, allowance = results
    # With orjson installed, the parsing scenarios also run ours on the stdlib parser.
    parsers = {"ours, stdlib json", "bare aiohttp, orjson"} if speedups_installed() else set()
    assert {m.implementation for m in stream.measurements} == implementations | parsers
    assert all(m.count == SMOKE.stream_records for m in stream.measurements)
    assert all(m.count == SMOKE.overlap_pages * SMOKE.overlap_page for m in overlap.measurements)
    assert all(m.count == SMOKE.fetches for m in concurrency.measurements)
    assert all(m.count == SMOKE.decode_records * SMOKE.decode_repeat for m in decode.measurements)
    assert [m.count for m in memory.measurements] == [300] * len(implementations)
    # Every mixed call succeeded, adaptive and fixed alike.
    assert [m.count for m in allowance.measurements] == [SMOKE.allowance_calls] * 2
    table = render(results)
    for result in results:
        assert result.title in table


async def test_ours_and_bare_aiohttp_without_the_official_client() -> None:
    results = await run_all(SMOKE, with_peer=False)

    _assert_sane(results, {"ours", "bare aiohttp"})
    assert all(check.description != "ours / peer" for r in results for check in r.checks)


# aiohttp 3.14 deprecates the BasicAuth the official client sends each request with.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:The 'auth' parameter is deprecated:DeprecationWarning")
async def test_every_scenario_against_the_official_client() -> None:
    pytest.importorskip("twilio")

    results = await run_all(SMOKE, with_peer=True)

    _assert_sane(results, {"ours", "bare aiohttp", "peer"})
    assert sum(check.description == "ours / peer" for r in results for check in r.checks) == 3
