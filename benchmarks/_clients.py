"""Ours and the bare-aiohttp limit, doing the same work as the official client in _peer.py.

Each function opens its client, starts the clock, does the work, stops the clock, and
closes; opening and closing stay out of the timing for every implementation alike.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import aiohttp
import attrs
from yarl import URL

from benchmarks._emulator import Target, basic_auth
from benchmarks._report import Sample
from benchmarks._workload import consume, run_pool
from twilio_proxy_async import Client, ConcurrencyLimiter, RawResponse, Session, TwilioError
from twilio_proxy_async._record_hooks import _builder, record_structurer

__all__ = [
    "bare_fetch",
    "bare_stream",
    "json_decode",
    "ours_decode",
    "ours_fetch",
    "ours_mixed",
    "ours_stream",
    "pipelined_stream",
    "sdk_models",
    "speculative_stream",
    "unchecked_structurer",
]

Build = Callable[[Any], Any]


def _ours(target: Target, *, max_concurrency: int = 32) -> Client:
    return Client(
        target.account_sid,
        target.auth_token,
        base_url=target.url,
        max_concurrency=max_concurrency,
    )


async def ours_stream(
    target: Target, *, limit: int, page_size: int, work: float = 0.0, sync: bool = False
) -> Sample:
    async with _ours(target) as client:
        started = time.perf_counter()
        records = client.proxy.sessions.list(target.service_sid, page_size=page_size, limit=limit)
        count = await consume(records, every=page_size, work=work, sync=sync)
        return Sample(time.perf_counter() - started, count)


async def ours_fetch(
    target: Target, session_sids: Sequence[str], *, total: int, in_flight: int
) -> Sample:
    async with _ours(target, max_concurrency=in_flight) as client:

        async def fetch(number: int) -> None:
            sid = session_sids[number % len(session_sids)]
            await client.proxy.sessions.fetch(target.service_sid, sid)

        started = time.perf_counter()
        done = await run_pool(total, in_flight, fetch)
        return Sample(time.perf_counter() - started, done)


async def ours_mixed(
    target: Target,
    session_sids: Sequence[str],
    *,
    total: int,
    in_flight: int,
    limiter: ConcurrencyLimiter,
) -> Sample:
    """``total`` calls from ``in_flight`` callers: 2 fetches, 1 update, 1 one-page listing
    and 1 create in every 5. Counts the calls that succeeded; a failure is not retried
    beyond the client's own retries."""
    async with Client(
        target.account_sid, target.auth_token, base_url=target.url, limiter=limiter
    ) as client:
        sessions = client.proxy.sessions
        service = target.service_sid
        succeeded = 0

        async def call(number: int) -> None:
            nonlocal succeeded
            sid = session_sids[number % len(session_sids)]
            kind = number % 5
            try:
                if kind < 2:
                    await sessions.fetch(service, sid)
                elif kind == 2:
                    await sessions.update(service, sid, ttl=3600 + number)
                elif kind == 3:
                    [found async for found in sessions.list(service, limit=20)]
                else:
                    await sessions.create(service)
            except TwilioError:
                return
            succeeded += 1

        started = time.perf_counter()
        await run_pool(total, in_flight, call)
        return Sample(time.perf_counter() - started, succeeded)


async def bare_stream(
    target: Target, *, limit: int, page_size: int, loads: Callable[[bytes], Any] = json.loads
) -> Sample:
    """The limit: GET each page, parse it with ``loads``, follow ``next_page_url``; nothing
    else, not even a per-record step, so it bounds what a sequential client could reach."""
    url: str | None = f"{target.url}/v1/Services/{target.service_sid}/Sessions?PageSize={page_size}"
    count = 0
    async with aiohttp.ClientSession(headers={"Authorization": basic_auth(target)}) as session:
        started = time.perf_counter()
        while url is not None and count < limit:
            async with session.get(URL(url, encoded=True)) as response:
                response.raise_for_status()
                body = await response.read()
            page = loads(body)
            count += min(len(page["sessions"]), limit - count)
            url = page["meta"]["next_page_url"]
        return Sample(time.perf_counter() - started, count)


def unchecked_structurer(model: type[Any]) -> Build:
    """The cheapest model this process can build: ``object.__new__`` and one slot store per
    field straight from the record, no type check, no SID check, timestamps left as
    strings. The floor under any client that hands out ``model`` instances at all."""
    fields = [field.name for field in attrs.fields(model)]
    lines = ["def build(record):", "    get = record.get", "    instance = new(builder)"]
    lines += [f"    instance.{name} = get({name!r})" for name in fields]
    lines += ["    instance.__class__ = model", "    return instance"]
    names: dict[str, Any] = {"new": object.__new__, "builder": _builder(model), "model": model}
    exec("\n".join(lines), names)
    build: Build = names["build"]
    return build


def sdk_models() -> Build:
    """The SDK's own record structurer for Sessions: every check the pager's path makes."""
    return record_structurer(Session, owned=True)


async def pipelined_stream(
    target: Target,
    *,
    limit: int,
    page_size: int,
    loads: Callable[[bytes], Any] = json.loads,
    build: Build | None = None,
) -> Sample:
    """The bare loop pipelined, the SDK's floor: page N+1's request goes out (one loop pass,
    a pooled connection writes it at once) before page N's records are counted or, with
    ``build``, built into models by it. No pager, no checks of the page, no response-size
    cap: what any pipelined client building such models could reach."""
    first = f"{target.url}/v1/Services/{target.service_sid}/Sessions?PageSize={page_size}"
    count = 0
    async with aiohttp.ClientSession(headers={"Authorization": basic_auth(target)}) as session:

        async def fetch(url: str) -> Any:
            async with session.get(URL(url, encoded=True)) as response:
                response.raise_for_status()
                return loads(await response.read())

        started = time.perf_counter()
        pending: asyncio.Task[Any] | None = asyncio.create_task(fetch(first))
        while pending is not None:
            page = await pending
            records = page["sessions"]
            url = page["meta"]["next_page_url"]
            pending = None
            if url is not None and count + len(records) < limit:
                pending = asyncio.create_task(fetch(url))
                await asyncio.sleep(0)
            taken = records[: limit - count]
            if build is not None:
                count += len([build(record) for record in taken])
            else:
                count += len(taken)
        return Sample(time.perf_counter() - started, count)


_NEXT_KEY = b'"next_page_url":'


def _peek_next(body: bytes) -> str | None:
    """The page's next URL read from its raw bytes (the last ``"next_page_url":`` key), or
    None when it is null or holds an escape; a guess that the decoded page then confirms."""
    at = body.rfind(_NEXT_KEY)
    if at < 0:
        return None
    rest = body[at + len(_NEXT_KEY) :].lstrip()
    end = rest.find(b'"', 1)
    if not rest.startswith(b'"') or end < 0 or b"\\" in rest[:end]:
        return None
    return rest[1:end].decode()


async def speculative_stream(
    target: Target,
    *,
    limit: int,
    page_size: int,
    build: Build,
    loads: Callable[[bytes], Any] = json.loads,
) -> Sample:
    """The pipelined floor with the next URL read from the body before it is decoded, so
    decoding leaves the chain of dependent requests too (what the SDK's pager does since
    0.2, here without its rules). The decoded page must name the same URL, else the guess
    is cancelled."""
    first = f"{target.url}/v1/Services/{target.service_sid}/Sessions?PageSize={page_size}"
    count = 0
    async with aiohttp.ClientSession(headers={"Authorization": basic_auth(target)}) as session:

        async def fetch(url: str) -> bytes:
            async with session.get(URL(url, encoded=True)) as response:
                response.raise_for_status()
                return await response.read()

        started = time.perf_counter()
        pending: asyncio.Task[bytes] | None = asyncio.create_task(fetch(first))
        while pending is not None:
            body = await pending
            guess, pending = _peek_next(body), None
            if guess is not None and count + page_size < limit:
                pending = asyncio.create_task(fetch(guess))
                await asyncio.sleep(0)
            page = loads(body)
            records, url = page["sessions"], page["meta"]["next_page_url"]
            if url != guess and pending is not None:
                pending.cancel()
                pending = None
            if pending is None and url is not None and count + len(records) < limit:
                pending = asyncio.create_task(fetch(url))
            count += len([build(record) for record in records[: limit - count]])
        return Sample(time.perf_counter() - started, count)


async def bare_fetch(
    target: Target, session_sids: Sequence[str], *, total: int, in_flight: int
) -> Sample:
    async with aiohttp.ClientSession(
        headers={"Authorization": basic_auth(target)},
        connector=aiohttp.TCPConnector(limit=0),
    ) as session:
        base = f"{target.url}/v1/Services/{target.service_sid}/Sessions/"

        async def fetch(number: int) -> None:
            url = URL(base + session_sids[number % len(session_sids)], encoded=True)
            async with session.get(url) as response:
                response.raise_for_status()
                json.loads(await response.read())

        started = time.perf_counter()
        done = await run_pool(total, in_flight, fetch)
        return Sample(time.perf_counter() - started, done)


class _CannedTransport:
    """Stands in for the HTTP transport: every request answers with the same page."""

    def __init__(self, body: bytes) -> None:
        self._answer = RawResponse(200, {"Content-Type": "application/json"}, body)

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        time_limit: float,
    ) -> RawResponse:
        return self._answer

    async def aclose(self) -> None:
        return None


async def ours_decode(target: Target, body: bytes, *, records: int, repeat: int) -> Sample:
    """The SDK's whole path from page bytes to models (transport, JSON, page parsing,
    converter, pager) with the network replaced by a canned answer."""
    async with Client(
        target.account_sid, target.auth_token, base_url=target.url, transport=_CannedTransport(body)
    ) as client:
        count = 0
        started = time.perf_counter()
        for _ in range(repeat):
            listing = client.proxy.sessions.list(
                target.service_sid, page_size=records, limit=records
            )
            async for page in listing.pages():
                count += len(page.items)
        return Sample(time.perf_counter() - started, count)


def json_decode(body: bytes, *, repeat: int) -> Sample:
    """``json.loads`` alone: the floor under any decoding of the page."""
    count = 0
    started = time.perf_counter()
    for _ in range(repeat):
        count += len(json.loads(body)["sessions"])
    return Sample(time.perf_counter() - started, count)
