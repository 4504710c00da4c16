"""The emulator in its own process, so the server never competes with a client's event loop.

``python -m benchmarks._emulator SESSIONS`` seeds one Proxy Service with SESSIONS Sessions,
prints one JSON line (url, account_sid, auth_token), then obeys one command per stdin line:
``latency SECONDS`` sets the per-request latency and answers ``ok``. EOF on stdin stops it.
The parent side is ``EmulatorProcess``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import aiohttp

from twilio_proxy_async.testing import DemoData, Emulator, Faults

__all__ = ["PROJECT_ROOT", "EmulatorProcess", "Target", "basic_auth"]

# Where ``python -m benchmarks...`` children must start to import this package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
_START_TIMEOUT = 120.0
_STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Target:
    """Where the clients under test point: the emulator and the Service it seeded."""

    url: str
    account_sid: str
    auth_token: str
    service_sid: str
    sessions: int


def basic_auth(target: Target) -> str:
    pair = f"{target.account_sid}:{target.auth_token}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


class EmulatorProcess:
    """Starts the emulator subprocess, renders every record once, and stops it on exit."""

    def __init__(self, sessions: int) -> None:
        self._sessions = sessions
        self._process: asyncio.subprocess.Process | None = None
        self._target: Target | None = None

    @property
    def target(self) -> Target:
        if self._target is None:
            raise RuntimeError("the emulator process is not started")
        return self._target

    async def __aenter__(self) -> Self:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks._emulator",
            str(self._sessions),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=PROJECT_ROOT,
        )
        try:
            announced = json.loads(await asyncio.wait_for(self._readline(), _START_TIMEOUT))
            service_sid = await _first_service(announced)
            self._target = Target(service_sid=service_sid, sessions=self._sessions, **announced)
            await _render_everything(self._target)
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stop()

    async def set_latency(self, seconds: float, *, concurrency_limit: int = 0) -> None:
        """Delay every answer by ``seconds``; with ``concurrency_limit``, also answer 429 to
        requests past that many in flight, as Twilio does past an account's allowance."""
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(f"latency {seconds} {concurrency_limit}\n".encode())
        await self._process.stdin.drain()
        answer = await asyncio.wait_for(self._readline(), _STOP_TIMEOUT)
        if answer.strip() != "ok":
            raise RuntimeError(f"the emulator refused the latency: {answer!r}")

    async def _readline(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the emulator process exited early")
        return line.decode()

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        # EOF on its stdin is the child's signal to stop; communicate() alone leaves it open.
        assert process.stdin is not None
        process.stdin.close()
        try:
            await asyncio.wait_for(process.communicate(), _STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.communicate()


async def _first_service(announced: dict[str, str]) -> str:
    probe = Target(service_sid="", sessions=0, **announced)
    headers = {"Authorization": basic_auth(probe)}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(f"{probe.url}/v1/Services") as response,
    ):
        response.raise_for_status()
        services = json.loads(await response.read())["services"]
    sid: str = services[0]["sid"]
    return sid


async def _render_everything(target: Target) -> None:
    """The emulator renders a record's JSON once and caches it: a first pass over the
    whole listing keeps that one-off cost out of every measured run."""
    url: str | None = f"{target.url}/v1/Services/{target.service_sid}/Sessions?PageSize=1000"
    async with aiohttp.ClientSession(headers={"Authorization": basic_auth(target)}) as session:
        while url:
            async with session.get(url) as response:
                response.raise_for_status()
                url = json.loads(await response.read())["meta"]["next_page_url"]


async def _serve(sessions: int) -> None:
    demo = DemoData(
        services=1,
        sessions_per_service=sessions,
        phone_numbers_per_service=0,
        participants_per_session=0,
        interactions_per_session=0,
        chat_services=0,
    )
    async with Emulator(demo=demo) as emulator:
        announced = {
            "url": emulator.url,
            "account_sid": emulator.account_sid,
            "auth_token": emulator.auth_token,
        }
        print(json.dumps(announced), flush=True)
        while line := await asyncio.to_thread(sys.stdin.readline):
            command, _, argument = line.strip().partition(" ")
            if command == "latency":
                seconds, _, limit = argument.partition(" ")
                emulator.faults = Faults(
                    latency=float(seconds), concurrency_limit=int(limit or 0) or None
                )
                print("ok", flush=True)
            else:
                print(f"unknown command {command!r}", flush=True)


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
