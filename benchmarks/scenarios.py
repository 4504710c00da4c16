"""The six scenarios. Each runs ours, the limit and (when installed) the official client
alternately, round after round, so a noisy neighbour slows all of them alike."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import aiohttp

from benchmarks._clients import (
    bare_fetch,
    bare_stream,
    json_decode,
    ours_decode,
    ours_fetch,
    ours_mixed,
    ours_stream,
    pipelined_stream,
    sdk_models,
    speculative_stream,
    unchecked_structurer,
)
from benchmarks._emulator import EmulatorProcess, Target, basic_auth
from benchmarks._memory import measure
from benchmarks._report import Check, Measurement, Sample, ScenarioResult
from twilio_proxy_async import ConcurrencyLimiter, Session, _json, _pagination

__all__ = ["FULL", "QUICK", "SCENARIOS", "Sizes", "page_body", "peer_installed", "run_all"]

OURS, PEER, BARE, JSON = "ours", "peer", "bare aiohttp", "json.loads"
OURS_STDLIB = "ours, stdlib json"
OURS_NO_GUESS = "ours, next URL not guessed"
BARE_ORJSON = "bare aiohttp, orjson"
OURS_SYNC, PEER_SYNC = "ours, busy-loop work", "peer, busy-loop work"
PIPELINED = "pipelined aiohttp, no models"
FLOOR = "pipelined aiohttp + the SDK's models"
SPECULATIVE = "speculative aiohttp + the SDK's models"
# The cheapest model at all: object.__new__ and slot stores, no checks (benchmarks/_clients).
UNCHECKED = "pipelined aiohttp + unchecked models"
SPECULATIVE_UNCHECKED = "speculative aiohttp + unchecked models"
MIB = 1024


def speedups_installed() -> bool:
    """Whether the SDK decodes with orjson (the ``speedups`` extra); if so, the scenarios that
    parse pages also run ours with the standard library's parser, to show what it earns."""
    return _json.PARSER == "orjson"


async def _with_stdlib_json(run: Callable[[], Awaitable[Sample]]) -> Sample:
    installed = _json.loads
    _json.loads = json.loads
    try:
        return await run()
    finally:
        _json.loads = installed


async def _without_guessing(run: Callable[[], Awaitable[Sample]]) -> Sample:
    """Ours with the pager reading no next URL from raw bodies: what the guess earns."""
    peek = _pagination.peek_next_url
    _pagination.peek_next_url = lambda body: None
    try:
        return await run()
    finally:
        _pagination.peek_next_url = peek


def peer_installed() -> bool:
    """Whether the official ``twilio`` package is there to compare against."""
    try:
        import twilio  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Sizes:
    rounds: int
    stream_records: int
    stream_page: int
    overlap_pages: int
    overlap_page: int
    latency: float
    work: float
    # Scenario 1 again with the server taking this long per page, as any real server does.
    stream_latency: float
    fetches: int
    in_flight: int
    decode_records: int
    decode_repeat: int
    memory_counts: tuple[int, ...]
    memory_page: int
    allowance: int
    allowance_calls: int
    allowance_latency: float
    allowance_ceiling: int

    @property
    def sessions(self) -> int:
        """How many Sessions the emulator seeds: enough for the largest listing."""
        return max(
            self.stream_records,
            self.overlap_pages * self.overlap_page,
            self.decode_records,
            *self.memory_counts,
        )


FULL = Sizes(
    rounds=5,
    stream_records=20_000,
    stream_page=1000,
    overlap_pages=24,
    # Small pages, so the CPU a page costs is negligible beside L and W (see README).
    overlap_page=100,
    latency=0.05,
    work=0.05,
    stream_latency=0.01,
    fetches=5000,
    in_flight=100,
    decode_records=1000,
    decode_repeat=20,
    memory_counts=(50_000, 200_000),
    memory_page=1000,
    allowance=20,
    allowance_calls=3000,
    allowance_latency=0.05,
    allowance_ceiling=64,
)
QUICK = Sizes(
    rounds=1,
    stream_records=400,
    stream_page=100,
    overlap_pages=4,
    overlap_page=10,
    latency=0.01,
    work=0.01,
    stream_latency=0.002,
    fetches=200,
    in_flight=20,
    decode_records=200,
    decode_repeat=2,
    memory_counts=(200, 400),
    memory_page=100,
    allowance=5,
    allowance_calls=200,
    allowance_latency=0.01,
    allowance_ceiling=16,
)


async def _interleave(
    runs: Mapping[str, Callable[[], Awaitable[Sample]]],
    rounds: int,
    expected: int,
    server: EmulatorProcess | None = None,
) -> dict[str, list[Sample]]:
    names = list(runs)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for round_number in range(rounds):
        start = round_number % len(names)
        for name in names[start:] + names[:start]:
            client_before = time.process_time()
            server_before = server.cpu_seconds() if server is not None else None
            sample = await runs[name]()
            server_after = server.cpu_seconds() if server is not None else None
            if sample.count != expected or sample.seconds <= 0:
                raise RuntimeError(f"{name} handled {sample.count} of {expected} items")
            server_cpu = None
            if server_before is not None and server_after is not None:
                server_cpu = server_after - server_before
            sample = dataclasses.replace(
                sample, client_cpu=time.process_time() - client_before, server_cpu=server_cpu
            )
            samples[name].append(sample)
    return samples


def _cpu_per_page(
    samples: Mapping[str, Sequence[Sample]], pages: int, names: Sequence[str]
) -> list[Measurement]:
    """Client (and, for ``names``, emulator) CPU per page: where the time of a run went."""
    found = []
    for name, runs in samples.items():
        client = tuple(1000 * (s.client_cpu or 0.0) / pages for s in runs)
        found.append(Measurement(f"{name}: client CPU", "ms per page", client, runs[0].count))
        server = [s.server_cpu for s in runs]
        if name in names and all(cpu is not None for cpu in server):
            per_page = tuple(1000 * (cpu or 0.0) / pages for cpu in server)
            found.append(Measurement(f"{name}: emulator CPU", "ms per page", per_page, 1))
    return found


def _rates(samples: Mapping[str, Sequence[Sample]], unit: str) -> tuple[Measurement, ...]:
    return tuple(
        Measurement(name, unit, tuple(s.rate for s in runs), runs[0].count)
        for name, runs in samples.items()
    )


def _ratio(result: tuple[Measurement, ...], top: str, bottom: str) -> float:
    values = {m.implementation: m.value for m in result}
    return values[top] / values[bottom]


async def streaming(server: EmulatorProcess, sizes: Sizes, *, with_peer: bool) -> ScenarioResult:
    target, records, page = server.target, sizes.stream_records, sizes.stream_page
    stream = functools.partial(ours_stream, target, limit=records, page_size=page)
    bare = functools.partial(bare_stream, target, limit=records, page_size=page)
    runs: dict[str, Callable[[], Awaitable[Sample]]] = {OURS: stream, BARE: bare}
    if speedups_installed():
        runs[OURS_STDLIB] = functools.partial(_with_stdlib_json, stream)
        runs[BARE_ORJSON] = functools.partial(bare, loads=_json.loads)
    # The SDK's parser on both sides, so same_parser is the bare loop to beat.
    same_parser = BARE_ORJSON if speedups_installed() else BARE
    pipelined = functools.partial(
        pipelined_stream, target, limit=records, page_size=page, loads=_json.loads
    )
    speculative = functools.partial(
        speculative_stream, target, limit=records, page_size=page, loads=_json.loads
    )
    runs[PIPELINED] = pipelined
    runs[FLOOR] = functools.partial(pipelined, build=sdk_models())
    runs[SPECULATIVE] = functools.partial(speculative, build=sdk_models())
    unchecked = unchecked_structurer(Session)
    runs[UNCHECKED] = functools.partial(pipelined, build=unchecked)
    runs[SPECULATIVE_UNCHECKED] = functools.partial(speculative, build=unchecked)
    if with_peer:
        from benchmarks._peer import peer_stream

        runs[PEER] = functools.partial(peer_stream, target, limit=records, page_size=page)
    samples = await _interleave(runs, sizes.rounds, records, server)
    result = _rates(samples, "records/s")
    # Each side parses with the same parser: stdlib against stdlib, orjson against orjson.
    if speedups_installed():
        checks = [
            Check("ours / bare aiohttp, orjson", _ratio(result, OURS, BARE_ORJSON), ">=", 1.0),
            Check("ours, stdlib json / bare aiohttp", _ratio(result, OURS_STDLIB, BARE), ">=", 1.0),
        ]
    else:
        checks = [Check("ours / bare aiohttp", _ratio(result, OURS, BARE), ">=", 1.0)]
    checks += [
        Check(f"{floor} / {same_parser}", _ratio(result, floor, same_parser))
        for floor in (PIPELINED, FLOOR, SPECULATIVE, UNCHECKED, SPECULATIVE_UNCHECKED)
    ]
    checks.append(Check(f"ours / {SPECULATIVE}", _ratio(result, OURS, SPECULATIVE)))
    if with_peer:
        checks.insert(0, Check("ours / peer", _ratio(result, OURS, PEER), ">=", 3.5))
        if speedups_installed():
            checks.append(Check("ours, stdlib json / peer", _ratio(result, OURS_STDLIB, PEER)))
    pages = -(-records // page)
    cpu = _cpu_per_page(samples, pages, (OURS, same_parser))
    slow, slow_checks = await _streaming_slow_server(server, sizes, runs)
    latency_ms = f"{sizes.stream_latency * 1000:g} ms"
    return ScenarioResult(
        f"1 stream {records:,} rec, pages of {page}",
        (*result, *cpu, *slow),
        (*checks, *slow_checks),
        (
            "peer is the official client's stream_async; bare counts pages, not records; "
            "bare aiohttp parses with stdlib json unless named otherwise; pipelined aiohttp "
            "parses with the SDK's parser",
            f"'L={latency_ms}': the same listing with the emulator taking {latency_ms} per "
            "page (a real server's time; none at all above)",
        ),
    )


async def _streaming_slow_server(
    server: EmulatorProcess, sizes: Sizes, runs: Mapping[str, Callable[[], Awaitable[Sample]]]
) -> tuple[tuple[Measurement, ...], list[Check]]:
    """Ours, the bare loops and the SDK-model floors again, with the server taking
    ``stream_latency`` per page."""
    suffix = f", L={sizes.stream_latency * 1000:g} ms"
    names = [OURS, BARE, *([OURS_STDLIB, BARE_ORJSON] if speedups_installed() else [])]
    slow = {name + suffix: runs[name] for name in [*names, FLOOR, SPECULATIVE]}
    slow[OURS_NO_GUESS + suffix] = functools.partial(_without_guessing, runs[OURS])
    await server.set_latency(sizes.stream_latency)
    try:
        samples = await _interleave(slow, sizes.rounds, sizes.stream_records)
    finally:
        await server.set_latency(0.0)
    result = _rates(samples, "records/s")
    same = [(OURS, BARE_ORJSON), (OURS_STDLIB, BARE)] if speedups_installed() else [(OURS, BARE)]
    checks = [
        Check(f"{top}{suffix} / {bottom}", _ratio(result, top + suffix, bottom + suffix), ">=", 1.0)
        for top, bottom in same
    ]
    same_parser = same[0][1]
    for floor in (OURS_NO_GUESS, FLOOR, SPECULATIVE):
        ratio = _ratio(result, floor + suffix, same_parser + suffix)
        checks.append(Check(f"{floor}{suffix} / {same_parser}", ratio))
    return result, checks


async def overlap(server: EmulatorProcess, sizes: Sizes, *, with_peer: bool) -> ScenarioResult:
    target, page, pages = server.target, sizes.overlap_page, sizes.overlap_pages
    latency, work = sizes.latency, sizes.work
    records = pages * page
    ours = functools.partial(ours_stream, target, limit=records, page_size=page, work=work)
    runs: dict[str, Callable[[], Awaitable[Sample]]] = {
        OURS: ours,
        OURS_SYNC: functools.partial(ours, sync=True),
    }
    if with_peer:
        from benchmarks._peer import peer_stream

        peer = functools.partial(peer_stream, target, limit=records, page_size=page, work=work)
        runs[PEER] = peer
        runs[PEER_SYNC] = functools.partial(peer, sync=True)
    await server.set_latency(latency)
    try:
        samples = await _interleave(runs, sizes.rounds, records)
    finally:
        await server.set_latency(0.0)
    result = tuple(
        Measurement(name, "s", tuple(s.seconds for s in runs), runs[0].count)
        for name, runs in samples.items()
    )
    ideal = pages * max(latency, work) + min(latency, work)
    serial = pages * (latency + work)
    values = {m.implementation: m.value for m in result}
    checks = [
        Check("ours / ideal", values[OURS] / ideal, "<=", 1.1),
        Check("ours, busy-loop work / ideal", values[OURS_SYNC] / ideal, "<=", 1.1),
    ]
    if with_peer:
        checks.append(Check("peer / ideal", values[PEER] / ideal))
        checks.append(Check("peer / pages x (L+W)", values[PEER] / serial))
        checks.append(Check("peer, busy-loop work / ideal", values[PEER_SYNC] / ideal))
    # What the machine adds to every timer: the ideal assumes a sleep ends on time.
    slept = await _slept(work)
    checks.append(Check(f"one {work * 1000:g} ms sleep took", slept, unit=" ms"))
    return ScenarioResult(
        f"2 overlap {pages} pages, L={latency * 1000:g} ms, W={work * 1000:g} ms",
        result,
        tuple(checks),
        (
            f"ideal = pages x max(L,W) + min(L,W) = {ideal:.3f} s; "
            f"pages x (L+W) = {serial:.3f} s; {page} records per page",
        ),
    )


async def _slept(seconds: float, times: int = 20) -> float:
    """Median of how long ``asyncio.sleep(seconds)`` really takes here, in ms."""
    took = []
    for _ in range(times):
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        took.append(1000 * (time.perf_counter() - started))
    return statistics.median(took)


async def page_body(target: Target, records: int) -> bytes:
    url = f"{target.url}/v1/Services/{target.service_sid}/Sessions?PageSize={records}"
    async with (
        aiohttp.ClientSession(headers={"Authorization": basic_auth(target)}) as session,
        session.get(url) as response,
    ):
        response.raise_for_status()
        return await response.read()


async def concurrency(server: EmulatorProcess, sizes: Sizes, *, with_peer: bool) -> ScenarioResult:
    target, total, in_flight = server.target, sizes.fetches, sizes.in_flight
    page = json.loads(await page_body(target, min(1000, target.sessions)))
    sids = [record["sid"] for record in page["sessions"]]
    options = {"total": total, "in_flight": in_flight}
    runs: dict[str, Callable[[], Awaitable[Sample]]] = {
        OURS: functools.partial(ours_fetch, target, sids, **options),
        BARE: functools.partial(bare_fetch, target, sids, **options),
    }
    if with_peer:
        from benchmarks._peer import peer_fetch

        runs[PEER] = functools.partial(peer_fetch, target, sids, **options)
    result = _rates(await _interleave(runs, sizes.rounds, total), "fetches/s")
    checks = [Check("ours / bare aiohttp", _ratio(result, OURS, BARE), ">=", 0.85)]
    if with_peer:
        checks.append(Check("ours / peer", _ratio(result, OURS, PEER)))
    return ScenarioResult(
        f"3 {total:,} sessions.fetch, {in_flight} in flight", result, tuple(checks)
    )


async def _sync(run: Callable[[], Sample]) -> Sample:
    return run()


async def decoding(server: EmulatorProcess, sizes: Sizes, *, with_peer: bool) -> ScenarioResult:
    target, records, repeat = server.target, sizes.decode_records, sizes.decode_repeat
    body = await page_body(target, records)
    runs: dict[str, Callable[[], Awaitable[Sample]]] = {
        OURS: functools.partial(ours_decode, target, body, records=records, repeat=repeat),
        JSON: functools.partial(_sync, functools.partial(json_decode, body, repeat=repeat)),
    }
    if speedups_installed():
        runs[OURS_STDLIB] = functools.partial(_with_stdlib_json, runs[OURS])
    if with_peer:
        from benchmarks._peer import peer_decode

        peer = functools.partial(peer_decode, target, body, repeat=repeat)
        runs[PEER] = functools.partial(_sync, peer)
    result = _rates(await _interleave(runs, sizes.rounds, records * repeat), "records/s")
    checks = [Check("ours / json.loads", _ratio(result, OURS, JSON))]
    if with_peer:
        checks.insert(0, Check("ours / peer", _ratio(result, OURS, PEER), ">=", 4.0))
        if speedups_installed():
            checks.append(Check("ours, stdlib json / peer", _ratio(result, OURS_STDLIB, PEER)))
    return ScenarioResult(
        f"4 decode a {records}-record page ({len(body) / MIB:,.0f} KiB), no HTTP",
        result,
        tuple(checks),
        ("ours: the SDK's pager path over a canned session; peer: SessionInstance per record",),
    )


async def memory(server: EmulatorProcess, sizes: Sizes, *, with_peer: bool) -> ScenarioResult:
    implementations = [OURS, BARE, *([PEER] if with_peer else [])]
    measurements = []
    checks = []
    for count in sizes.memory_counts:
        for implementation in implementations:
            found = await measure(implementation, server.target, count, sizes.memory_page)
            if found["records"] != count:
                raise RuntimeError(f"{implementation} streamed {found['records']} of {count}")
            growth = (found["peak_kib"] - found["baseline_kib"]) / MIB
            label = f"{implementation}, {count:,} records"
            measurements.append(Measurement(label, "MiB peak RSS growth", (growth,), count))
            if implementation == OURS:
                checks.append(Check(label, growth, "<=", 30.0, " MiB"))
    return ScenarioResult(
        f"5 memory, pages of {sizes.memory_page}",
        tuple(measurements),
        tuple(checks),
        ("each listing in a fresh process; baseline after imports and opening the client",),
    )


ADAPTIVE = "ours, adaptive"
FIXED = "ours, fixed at the allowance"


async def allowance(server: EmulatorProcess, sizes: Sizes, *, with_peer: bool) -> ScenarioResult:
    """Mixed calls against an account allowance (the emulator's concurrency limit): the
    adaptive client starts at a ceiling far above it, the fixed one sits exactly on it."""
    target, total = server.target, sizes.allowance_calls
    limit, latency, ceiling = sizes.allowance, sizes.allowance_latency, sizes.allowance_ceiling
    page = json.loads(await page_body(target, min(1000, target.sessions)))
    sids = [record["sid"] for record in page["sessions"]]

    def run(limiter: Callable[[], ConcurrencyLimiter]) -> Callable[[], Awaitable[Sample]]:
        async def one() -> Sample:
            return await ours_mixed(target, sids, total=total, in_flight=ceiling, limiter=limiter())

        return one

    runs = {
        ADAPTIVE: run(lambda: ConcurrencyLimiter(ceiling)),
        FIXED: run(lambda: ConcurrencyLimiter(limit, adaptive=False)),
    }
    await server.set_latency(latency, concurrency_limit=limit)
    try:
        samples = await _interleave(runs, sizes.rounds, total)
    finally:
        await server.set_latency(0.0)
    result = tuple(
        Measurement(name, "s", tuple(s.seconds for s in runs), runs[0].count)
        for name, runs in samples.items()
    )
    ideal = total / limit * latency
    values = {m.implementation: m.value for m in result}
    checks = [
        Check("ideal / ours, adaptive", ideal / values[ADAPTIVE], ">=", 0.9),
        Check("ideal / ours, fixed", ideal / values[FIXED]),
        # What adapting costs, whatever the machine: the fixed client is told the allowance.
        Check("ours, fixed / ours, adaptive", values[FIXED] / values[ADAPTIVE], ">=", 0.95),
    ]
    return ScenarioResult(
        f"6 {total:,} mixed calls, allowance {limit}, L={latency * 1000:g} ms, "
        f"max_concurrency={ceiling}",
        result,
        tuple(checks),
        (
            f"ideal = calls / allowance x L = {ideal:.2f} s; every call succeeded (a failure "
            "stops the run); calls: 2 fetch, 1 update, 1 one-page list, 1 create in 5",
        ),
    )


Scenario = Callable[..., Awaitable[ScenarioResult]]
SCENARIOS: dict[str, Scenario] = {
    "stream": streaming,
    "overlap": overlap,
    "concurrency": concurrency,
    "decode": decoding,
    "memory": memory,
    "allowance": allowance,
}


async def run_all(
    sizes: Sizes,
    *,
    with_peer: bool,
    only: Sequence[str] = tuple(SCENARIOS),
    progress: Callable[[str], None] = lambda _: None,
) -> list[ScenarioResult]:
    """Start the emulator process, run the chosen scenarios in order, stop it."""
    results = []
    async with EmulatorProcess(sizes.sessions) as server:
        for name in only:
            progress(name)
            results.append(await SCENARIOS[name](server, sizes, with_peer=with_peer))
    return results
