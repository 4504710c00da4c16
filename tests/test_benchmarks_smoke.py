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
    sdk_floors = {"pipelined aiohttp + the SDK's models", "speculative aiohttp + the SDK's models"}
    unchecked = {"pipelined aiohttp + unchecked models", "speculative aiohttp + unchecked models"}
    floors = {"pipelined aiohttp, no models"} | sdk_floors | unchecked
    streamed = implementations | parsers | floors
    rates = [m for m in stream.measurements if m.unit == "records/s"]
    slow_sides = {"ours", "ours, next URL not guessed", "bare aiohttp"} | sdk_floors | parsers
    slow = {name + ", L=2 ms" for name in slow_sides}
    assert {m.implementation for m in rates} == streamed | slow
    assert all(m.count == SMOKE.stream_records for m in rates)
    # Where each run's time went: this process's CPU for each, the emulator's for two.
    cpu = {m.implementation for m in stream.measurements if m.unit == "ms per page"}
    same_parser = "bare aiohttp, orjson" if speedups_installed() else "bare aiohttp"
    assert {name + ": client CPU" for name in streamed} <= cpu
    if Path("/proc/self/schedstat").exists():  # how the emulator's CPU is read (Linux)
        assert {f"{name}: emulator CPU" for name in ("ours", same_parser)} <= cpu
    assert all(m.count == SMOKE.overlap_pages * SMOKE.overlap_page for m in overlap.measurements)
    assert all(m.count == SMOKE.fetches for m in concurrency.measurements)
    assert all(m.count == SMOKE.decode_records * SMOKE.decode_repeat for m in decode.measurements)
    assert [m.count for m in memory.measurements] == [300] * len(implementations)
    # Every mixed call succeeded, adaptive and fixed alike.
    assert [m.count for m in allowance.measurements] == [SMOKE.allowance_calls] * 2
    table = render(results)
    for result in results:
        assert result.title in table


def test_the_unchecked_floor_builds_the_model_with_the_record_s_values() -> None:
    from benchmarks._clients import unchecked_structurer
    from twilio_proxy_async import Session

    record = {"sid": "KC" + "a" * 32, "unique_name": "x", "date_created": "2026-01-01T00:00:00Z"}
    built = unchecked_structurer(Session)(record)
    assert type(built) is Session
    assert (built.sid, built.unique_name, built.ttl) == (record["sid"], "x", None)
    # No checks, no parsing: the floor stores what it is given.
    assert built.date_created == "2026-01-01T00:00:00Z"


def test_the_plain_checks_build_the_sdks_models_and_refuse_what_it_refuses() -> None:
    from benchmarks._clients import sdk_models
    from benchmarks.checks import plain_checks

    record = {
        "sid": "KC" + "a" * 32,
        "service_sid": "KS" + "b" * 32,
        "account_sid": "AC" + "c" * 32,
        "date_created": "2026-01-01T00:00:00Z",
        "date_updated": "2026-01-02T00:00:00Z",
        "status": "open",
        "mode": "message-only",
        "ttl": 60,
        "links": {"participants": "https://p"},
    }
    built = plain_checks()(record)
    assert built == sdk_models()(record)
    assert hash(built) == hash(sdk_models()(record))
    for field, bad in [("sid", "KS" + "a" * 32), ("ttl", "60"), ("date_created", "2026-01-01")]:
        with pytest.raises((TypeError, ValueError)):
            plain_checks()({**record, field: bad})


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
