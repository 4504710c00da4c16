"""The export command as real processes: two at once on one directory, ``kill -9`` at
seeded random points then resumed, and the progress line in an 80-column terminal.
Every subprocess runs under a timeout; every wait loop is bounded."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import random
import re
import signal
import struct
import sys
import termios
from pathlib import Path

import pytest
from emulator_support import client_for
from export_support import FORMATS, SMALL, assert_exported_once

from twilio_proxy_async._export import run_export
from twilio_proxy_async._export._directory import inspect
from twilio_proxy_async.testing import DemoData, Emulator, Faults

TIMEOUT = 60.0
KILL_DEMO = "services=2,phone_numbers=3,sessions=60"
KILL_DATA = DemoData(services=2, phone_numbers_per_service=3, sessions_per_service=60)


def cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "twilio_proxy_async._cli", "export", *argv]


def environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("TWILIO_")}


async def run(*argv: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *cli(*argv),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=environment(),
    )
    async with asyncio.timeout(TIMEOUT):
        _, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_two_resumes_at_once_one_is_refused_and_the_other_is_exact(
    tmp_path: Path,
) -> None:
    async with Emulator(demo=SMALL) as emu:
        second = emu.snapshot()["services"][1]["sid"]
        emu.faults = Faults(rate_500=1.0, path_prefix=f"/v1/Services/{second}/Sessions")
        async with client_for(emu, max_retries=0) as client:
            with pytest.raises(Exception, match="Internal Server Error"):
                # Named as the command names it, so the command may resume it.
                source = {"kind": "twilio", "account_sid": emu.account_sid, "region": ""}
                source |= {"edge": "", "base_url": emu.url}
                await run_export(client, tmp_path, page_size=1, source=source)
        # Slow enough that the first resume still holds the directory when the second starts.
        emu.faults = Faults(latency=0.05)
        account = ["--base-url", emu.url, "--account-sid", emu.account_sid]
        argv = [*account, "--auth-token", emu.auth_token, "--out", str(tmp_path), "--resume"]
        results = await asyncio.gather(run(*argv, "--page-size", "1"), run(*argv))
        codes = sorted(code for code, _ in results)
        assert codes == [0, 1], results
        refused = next(err for code, err in results if code == 1)
        assert f"{tmp_path} is in use: another export is writing to it" in refused
        assert_exported_once(tmp_path, emu.snapshot())


def progress_marker(out: Path, fmt: str) -> Path:
    return out / ("export.sqlite.part-wal" if fmt == "sqlite" else "export-journal.jsonl")


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


async def kill_when(out: Path, fmt: str, growth: int) -> None:
    """Start a (resumed) demo export and ``kill -9`` it once its journal grew by
    ``growth`` bytes, or let it end if it finishes first."""
    marker = progress_marker(out, fmt)
    threshold = size_of(marker) + growth
    process = await asyncio.create_subprocess_exec(
        *cli("--demo", "--demo-size", KILL_DEMO, "--format", fmt, "--out", str(out)),
        "--resume",
        "--page-size",
        "7",
        "--quiet",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        env=environment(),
    )
    for _ in range(int(TIMEOUT / 0.005)):
        if process.returncode is not None or size_of(marker) > threshold:
            break
        await asyncio.sleep(0.005)
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    async with asyncio.timeout(TIMEOUT):
        await process.wait()


@pytest.mark.parametrize("fmt", FORMATS)
async def test_killed_at_random_points_then_resumed_every_record_once(
    tmp_path: Path, fmt: str
) -> None:
    draw = random.Random(f"kill-{fmt}")
    # The journal (or SQLite's WAL) grows by a few hundred bytes a page.
    scale = 8_000 if fmt == "sqlite" else 1_000
    killed_mid_run = 0
    for _ in range(3):
        await kill_when(tmp_path, fmt, draw.randint(1, 6) * scale)
        killed_mid_run += inspect(tmp_path).state in ("unfinished", "publishing")
    assert killed_mid_run >= 1, "no kill landed before the export completed"
    code, err = await run(
        "--demo", "--resume", "--format", fmt, "--out", str(tmp_path), "--page-size", "7"
    )
    assert code == 0, err
    async with Emulator(demo=KILL_DATA) as emu:
        expected = emu.snapshot()
    assert_exported_once(tmp_path, expected, ignore_origin=True, fmt=fmt)


_CLEAR = "\x1b[K"


async def test_the_progress_line_fits_an_80_column_terminal(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    environ = environment()
    environ.pop("COLUMNS", None)
    try:
        process = await asyncio.create_subprocess_exec(
            *cli("--demo", "--demo-size", "services=3,sessions=400", "--out", str(tmp_path)),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=terminal,
            stderr=terminal,
            env=environ,
        )
        os.close(terminal)
        terminal = -1
        output = await asyncio.to_thread(_read_all, controller)
        async with asyncio.timeout(TIMEOUT):
            assert await process.wait() == 0, output
    finally:
        if terminal != -1:
            os.close(terminal)
        os.close(controller)
    redraws = re.findall(r"\r([^\r\n]*)", output.replace("\r\n", "\n"))
    assert redraws, f"no progress line was drawn: {output!r}"
    widths = [len(line.replace(_CLEAR, "")) for line in redraws]
    assert max(widths) < 80, redraws
    assert all(line.endswith(_CLEAR) for line in redraws)
    assert "exported" in output


def _read_all(fd: int) -> str:
    chunks = []
    for _ in range(100_000):  # bounded: the export writes far fewer chunks than this
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()
