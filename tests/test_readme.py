"""The README's examples run as written, against the embedded emulator."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from urllib.parse import quote_plus

import aiohttp
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


def curl_form(command: str) -> bytes:
    """The body curl sends for ``-d``/``--data-urlencode`` arguments: ``-d name=value`` as
    written (so a ``+`` arrives as a space), ``--data-urlencode name=value`` percent-encoded."""
    words = command.replace("\\\n", " ").split()
    parts: list[str] = []
    for flag, value in itertools.pairwise(words):
        if flag == "-d":
            parts.append(value)
        elif flag == "--data-urlencode":
            name, _, content = value.partition("=")
            parts.append(f"{name}={quote_plus(content)}")
    return "&".join(parts).encode()


async def test_the_curl_simulation_example_delivers(emulator: Emulator) -> None:
    text = README.read_text()
    shell = text.split("drive the same flow over HTTP", 1)[1]
    match = re.search(r"```sh\n(curl .*?\n)(?=#)", shell, re.S)
    assert match is not None
    command = match.group(1)
    # The numbers as the reader typed them; the emulator must see them so, too.
    written = dict(re.findall(r"(From|To)=(\S+)", command))
    sender, number = written["From"], written["To"]
    body = curl_form(command)
    async with Client(emulator.account_sid, emulator.auth_token, base_url=emulator.url) as client:
        service = await client.proxy.services.create(unique_name="curl")
        await client.proxy.phone_numbers.create(service.sid, phone_number=number)
        session = await client.proxy.sessions.create(service.sid, unique_name="curl")
        for identifier in (sender, "+15558675311"):
            await client.proxy.participants.create(service.sid, session.sid, identifier=identifier)
    headers = {
        "Authorization": aiohttp.encode_basic_auth(emulator.account_sid, emulator.auth_token),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    url = f"{emulator.url}/_emulator/simulate/message"
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers=headers) as reply,
    ):
        answer = await reply.json()
    assert reply.status == 200
    assert answer["outcome"] == "delivered", answer
    assert answer["delivery"]["to"] == "+15558675311"
