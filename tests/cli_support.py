"""Running the console script as a real process: start it, read what it prints, stop it."""

from __future__ import annotations

import asyncio
import sys

# Bounds every wait on a subprocess: a hung process fails the test instead of the suite.
TIMEOUT = 30.0


async def start_cli(*argv: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "twilio_proxy_async._cli",
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, signum: int) -> tuple[int, str, str]:
    process.send_signal(signum)
    async with asyncio.timeout(TIMEOUT):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def read_assignments(process: asyncio.subprocess.Process) -> dict[str, str]:
    assert process.stdout is not None
    found = {}
    async with asyncio.timeout(TIMEOUT):
        while not (line := (await process.stdout.readline()).decode()).startswith("#"):
            assert line, "the emulator exited before printing its address"
            name, _, value = line.rstrip("\n").partition("=")
            found[name] = value
    return found
