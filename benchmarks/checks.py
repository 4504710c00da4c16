"""``python -m benchmarks.checks``: what the checks alone cost per 1000-record page.

Scenario 1 shows the speculative loop with unchecked models streaming at the bare loop's
rate while its client CPU per page is already about the bare loop's whole time per page: at
0 ms server time there is no slack left for checks. This measures, on one page the emulator
serves, in interleaved rounds, what building the page's models costs:

- ``unchecked``: ``object.__new__`` and slot stores, no check (scenario 1's floor);
- ``plain checks``: the same, plus only what the models promise, in plain Python written
  for Session (a loop over its timestamp fields): exact JSON types, the SID pattern (a
  parent SID equal to the last one accepted is not matched again), ``fromisoformat`` and a
  UTC check per timestamp, enum lookups, the links' values; no fallback, no error detail;
- ``SDK``: the pager's record structurer (generated straight-line code, same checks).

The SDK's difference to ``unchecked`` is what the checks add to each page's CPU, whatever
the pipeline; ``plain checks`` shows what the generated code saves over writing them out.
"""

from __future__ import annotations

import asyncio
import gc
import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from benchmarks._clients import sdk_models, unchecked_structurer
from benchmarks._emulator import EmulatorProcess
from benchmarks.scenarios import page_body
from twilio_proxy_async import Session, SessionMode, SessionStatus, _json
from twilio_proxy_async._record_hooks import _builder
from twilio_proxy_async.models._common import FrozenDict

__all__ = ["main", "plain_checks"]

_RECORDS = 1000
_ROUNDS = 41

_SESSION_SID = re.compile(r"KC[0-9a-fA-F]{32}")
_SERVICE_SID = re.compile(r"KS[0-9a-fA-F]{32}")
_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_STATUS = {member.value: member for member in SessionStatus}
_MODE = {member.value: member for member in SessionMode}
_DATES = (
    "date_started",
    "date_ended",
    "date_last_interaction",
    "date_expiry",
    "date_created",
    "date_updated",
)
_STRINGS = ("unique_name", "closed_reason", "url")


def _stamp(value: object) -> datetime | None:
    if value is None:
        return None
    if type(value) is not str:
        raise TypeError(value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not UTC:
        raise ValueError(value)
    return parsed


def plain_checks() -> Callable[[dict[str, Any]], Session]:
    """Session models with only the checks their fields promise, by hand."""
    builder, new = _builder(Session), object.__new__
    last_parents: list[object] = [None, None]

    def build(record: dict[str, Any]) -> Session:
        sid = record["sid"]
        if type(sid) is not str or _SESSION_SID.fullmatch(sid) is None:
            raise ValueError(sid)
        service, account = record.get("service_sid"), record.get("account_sid")
        if service != last_parents[0]:
            if type(service) is not str or _SERVICE_SID.fullmatch(service) is None:
                raise ValueError(service)
            last_parents[0] = service
        if account != last_parents[1]:
            if type(account) is not str or _ACCOUNT_SID.fullmatch(account) is None:
                raise ValueError(account)
            last_parents[1] = account
        instance = new(builder)
        instance.sid, instance.service_sid, instance.account_sid = sid, service, account
        for name in _DATES:
            setattr(instance, name, _stamp(record.get(name)))
        for name in _STRINGS:
            text = record.get(name)
            if text is not None and type(text) is not str:
                raise TypeError(text)
            setattr(instance, name, text)
        status, mode, ttl = record.get("status"), record.get("mode"), record.get("ttl")
        if status is not None and type(status) is not str:
            raise TypeError(status)
        if mode is not None and type(mode) is not str:
            raise TypeError(mode)
        if ttl is not None and type(ttl) is not int:
            raise TypeError(ttl)
        instance.status = _STATUS.get(status, status) if status is not None else None
        instance.mode = _MODE.get(mode, mode) if mode is not None else None
        instance.ttl = ttl
        links = record.get("links")
        if links is not None:
            if type(links) is not dict or any(type(v) is not str for v in links.values()):
                raise TypeError(links)
            frozen = new(FrozenDict)
            frozen._data = links
            links = frozen
        instance.links = links
        instance.__class__ = Session
        built: Session = instance
        return built

    return build


def _sessions(body: bytes) -> list[Any]:
    page: Any = _json.loads(body)
    sessions: list[Any] = page["sessions"]
    return sessions


def _primitives(body: bytes) -> tuple[float, float]:
    """The two calls no check can skip, alone over the page's own values (median ms): every
    non-null timestamp through ``fromisoformat``, every record's SID through its pattern."""
    records = _sessions(body)
    stamps = [record[name] for record in records for name in _DATES if record.get(name)]
    sids = [record["sid"] for record in records]
    parse, match = datetime.fromisoformat, _SESSION_SID.fullmatch
    took: tuple[list[float], list[float]] = ([], [])
    for _ in range(_ROUNDS):
        started = time.perf_counter()
        for stamp in stamps:
            parse(stamp)
        took[0].append(time.perf_counter() - started)
        started = time.perf_counter()
        for sid in sids:
            match(sid)
        took[1].append(time.perf_counter() - started)
    return statistics.median(took[0]) * 1000, statistics.median(took[1]) * 1000


def _time_page(body: bytes, build: Callable[[Any], object] | None) -> float:
    started = time.perf_counter()
    records: list[Any] = _sessions(body)
    if build is not None:
        built = [build(record) for record in records]
        del built
    return time.perf_counter() - started


async def _page() -> bytes:
    async with EmulatorProcess(_RECORDS) as server:
        return await page_body(server.target, _RECORDS)


def main() -> int:
    body = asyncio.run(_page())
    builds: dict[str, Callable[[Any], object] | None] = {
        "parse only": None,
        "unchecked": unchecked_structurer(Session),
        "plain checks": plain_checks(),
        "SDK": sdk_models(),
    }
    # Every build gives the same models (the unchecked one leaves timestamps as strings).
    records = _sessions(body)
    checked = [plain_checks()(record) for record in records]
    assert checked == [sdk_models()(record) for record in records]
    times: dict[str, list[float]] = {name: [] for name in builds}
    for round_ in range(_ROUNDS):
        order = list(builds)[round_ % len(builds) :] + list(builds)[: round_ % len(builds)]
        for name in order:
            gc.collect()
            times[name].append(_time_page(body, builds[name]))
    median = {name: statistics.median(took) * 1000 for name, took in times.items()}
    print(f"one {len(body) / 1024:.0f} KiB page of {_RECORDS} Sessions, {_ROUNDS} rounds, medians")
    for name, took in median.items():
        extra = "" if name == "parse only" else f"  (+{took - median['parse only']:.2f} parse)"
        print(f"  {name:15} {took:6.2f} ms per page{extra}")
    floor = median["unchecked"]
    print(f"  checks, SDK:          +{median['SDK'] - floor:.2f} ms per page over unchecked")
    plain = median["plain checks"] - floor
    print(f"  checks, plain Python: +{plain:.2f} ms per page over unchecked")
    stamps, sids = _primitives(body)
    print(f"  of which no check can skip: fromisoformat {stamps:.2f} ms, SID pattern {sids:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
