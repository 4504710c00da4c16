"""ShortCodes end to end: the SDK against the emulator, and the bulk export.

The request shapes, SID checks and model come from the table and are covered for every
collection by test_table.py; Twilio's own ShortCode bodies by test_conformance.py. This is
the behaviour around them: a short code of the account is in at most one Service's pool.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from emulator_support import client_for
from export_support import read_jsonl

from twilio_proxy_async import (
    ConflictError,
    InvalidParameterError,
    NotFoundError,
    ShortCode,
)
from twilio_proxy_async._export import run_export
from twilio_proxy_async.testing import DemoData, Emulator

SC = "SC" + "5" * 32
DEMO = DemoData(services=2, short_codes_per_service=2, sessions_per_service=1)


pytestmark = pytest.mark.twilio_emulator(demo=DEMO)


async def test_a_short_code_joins_updates_and_leaves_a_service_pool(emu: Emulator) -> None:
    async with client_for(emu, max_retries=0) as client:
        service = await client.proxy.services.create(unique_name="codes")
        created = await client.proxy.short_codes.create(service.sid, sid=SC)
        assert isinstance(created, ShortCode)
        assert (created.sid, created.service_sid, created.is_reserved) == (SC, service.sid, False)
        assert created.short_code is not None and created.short_code.isdigit()
        assert created.url == f"{emu.url}/v1/Services/{service.sid}/ShortCodes/{SC}"

        reserved = await client.proxy.short_codes.update(service.sid, SC, is_reserved=True)
        assert reserved.is_reserved is True
        assert reserved.date_updated is not None and created.date_updated is not None
        assert reserved.date_updated > created.date_updated
        assert await client.proxy.short_codes.fetch(service.sid, SC) == reserved
        assert [c async for c in client.proxy.short_codes.list(service.sid)] == [reserved]

        assert await client.proxy.short_codes.delete(service.sid, SC) is None
        with pytest.raises(NotFoundError):
            await client.proxy.short_codes.fetch(service.sid, SC)
        assert [c async for c in client.proxy.short_codes.list(service.sid)] == []


async def test_a_short_code_is_in_one_pool_at_a_time(emu: Emulator) -> None:
    async with client_for(emu, max_retries=0) as client:
        first = await client.proxy.services.create(unique_name="first")
        second = await client.proxy.services.create(unique_name="second")
        await client.proxy.short_codes.create(first.sid, sid=SC)
        with pytest.raises(ConflictError):
            await client.proxy.short_codes.create(second.sid, sid=SC)
        # Deleting the Service frees its short codes for another one.
        await client.proxy.services.delete(first.sid)
        moved = await client.proxy.short_codes.create(second.sid, sid=SC)
        assert moved.service_sid == second.sid


async def test_a_short_code_is_named_by_its_sc_sid_before_any_request(emu: Emulator) -> None:
    service_sid = emu.snapshot()["services"][0]["sid"]
    before = emu.snapshot()
    async with client_for(emu, max_retries=0) as client:
        for bad in ("PN" + "5" * 32, "SC123", ""):
            with pytest.raises(InvalidParameterError, match="sid"):
                await client.proxy.short_codes.create(service_sid, sid=bad)
    assert emu.snapshot() == before


async def test_the_export_writes_every_short_code_with_its_service(
    emu: Emulator, tmp_path: Path
) -> None:
    async with client_for(emu) as client:
        await run_export(client, tmp_path, resources=["short_codes"])
    exported = read_jsonl(tmp_path / "short_codes.jsonl")
    snapshot = emu.snapshot()
    assert len(exported) == DEMO.services * DEMO.short_codes_per_service
    assert {r["sid"] for r in exported} == {code["sid"] for code in snapshot["short_codes"]}
    services = {service["sid"] for service in snapshot["services"]}
    assert {r["service_sid"] for r in exported} == services
