"""The README's examples run as written, against the embedded emulator."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path

import pytest

import twilio_proxy_async
from twilio_proxy_async import Client
from twilio_proxy_async.testing import Emulator

README = Path(__file__).resolve().parents[1] / "README.md"


def python_block_after(heading: str) -> str:
    text = README.read_text()
    section = text.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, f"no python block after {heading!r}"
    return match.group(1)


async def run_example(source: str, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run a README example as written, with ``Client()`` bound to the emulator; returns
    what it printed. Only ``asyncio.run`` is swapped, as a loop is already running."""
    printed: list[str] = []
    pending: list[Coroutine[object, object, None]] = []

    class EmulatorClient(Client):
        def __init__(self) -> None:
            super().__init__(emu.account_sid, emu.auth_token, base_url=emu.url)

    monkeypatch.setattr(twilio_proxy_async, "Client", EmulatorClient)
    assert source.count("asyncio.run(main())") == 1
    runnable = source.replace("asyncio.run(main())", "pending.append(main())")
    namespace: dict[str, object] = {
        "__name__": "readme_example",
        "pending": pending,
        "print": lambda *args: printed.append(" ".join(str(arg) for arg in args)),
    }
    exec(compile(runnable, "README.md", "exec"), namespace)
    for coroutine in pending:
        await coroutine
    return printed


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as emu:
        yield emu


async def test_masked_communication_walkthrough_runs(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = python_block_after("## Masked communication")
    printed = await run_example(example, emulator, monkeypatch)
    assert printed[0].startswith("Alice sees the courier as +1")
    assert printed[1].startswith("sent KI")
    assert re.fullmatch(
        r"KI[0-9a-f]{32} \{'body': 'Your courier is 5 minutes away\.'\}", printed[2]
    )
    [service] = emulator.snapshot()["services"]
    [session] = emulator.snapshot()["sessions"]
    assert (service["unique_name"], session["unique_name"], session["status"]) == (
        "deliveries",
        "order-1234",
        "closed",
    )


async def test_quickstart_runs(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    printed = await run_example(python_block_after("## Quickstart"), emulator, monkeypatch)
    assert printed == []
    assert [s["unique_name"] for s in emulator.snapshot()["services"]] == ["support"]
