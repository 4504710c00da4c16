"""Peak RSS of one listing, measured in a fresh process so nothing earlier inflates it.

``python -m benchmarks._memory IMPLEMENTATION TARGET_JSON COUNT PAGE_SIZE`` prints one JSON
line: the RSS once imports are done and the client is open, the peak RSS reached while
streaming COUNT records, and how many records it saw. ``measure`` runs it from the parent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import resource
import sys
from pathlib import Path
from typing import Any

import aiohttp
from yarl import URL

from benchmarks._emulator import PROJECT_ROOT, Target, basic_auth
from twilio_proxy_async import Client

__all__ = ["measure"]

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field: str) -> int | None:
    try:
        lines = _STATUS.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def _start_peak() -> int:
    """The RSS now, with the peak reset to it where Linux allows, so the imports' transient
    peak does not hide growth; otherwise the peak so far is the baseline."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        pass
    else:
        now = _status_kib("VmRSS")
        if now is not None:
            return now
    return _peak()


def _peak() -> int:
    peak = _status_kib("VmHWM")
    if peak is not None:
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def _ours(target: Target, count: int, page_size: int) -> tuple[int, int]:
    async with Client(target.account_sid, target.auth_token, base_url=target.url) as client:
        baseline = _start_peak()
        seen = 0
        async for _session in client.proxy.sessions.list(
            target.service_sid, page_size=page_size, limit=count
        ):
            seen += 1
    return baseline, seen


async def _bare(target: Target, count: int, page_size: int) -> tuple[int, int]:
    url: str | None = f"{target.url}/v1/Services/{target.service_sid}/Sessions?PageSize={page_size}"
    async with aiohttp.ClientSession(headers={"Authorization": basic_auth(target)}) as session:
        baseline = _start_peak()
        seen = 0
        while url is not None and seen < count:
            async with session.get(URL(url, encoded=True)) as response:
                page = json.loads(await response.read())
            seen += min(len(page["sessions"]), count - seen)
            url = page["meta"]["next_page_url"]
    return baseline, seen


async def _peer(target: Target, count: int, page_size: int) -> tuple[int, int]:
    from benchmarks._peer import AsyncTwilioHttpClient, official_client

    async with AsyncTwilioHttpClient() as http_client:
        sessions = (
            official_client(target, http_client).proxy.v1.services(target.service_sid).sessions
        )
        baseline = _start_peak()
        seen = 0
        async for _session in await sessions.stream_async(limit=count, page_size=page_size):
            seen += 1
    return baseline, seen


_IMPLEMENTATIONS = {"ours": _ours, "bare aiohttp": _bare, "peer": _peer}


async def measure(
    implementation: str, target: Target, count: int, page_size: int
) -> dict[str, int]:
    """Run one listing in a fresh interpreter; its baseline, peak and record count."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks._memory",
        implementation,
        json.dumps(dataclasses.asdict(target)),
        str(count),
        str(page_size),
        stdout=asyncio.subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the {implementation} memory run failed ({process.returncode})")
    result: dict[str, int] = json.loads(output)
    return result


def _main(argv: list[str]) -> None:
    implementation, target_json, count, page_size = argv
    fields: dict[str, Any] = json.loads(target_json)
    run = _IMPLEMENTATIONS[implementation]
    baseline, seen = asyncio.run(run(Target(**fields), int(count), int(page_size)))
    print(json.dumps({"baseline_kib": baseline, "peak_kib": _peak(), "records": seen}))


if __name__ == "__main__":
    _main(sys.argv[1:])
