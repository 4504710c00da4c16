"""A record Twilio lists twice in one listing (live data shifting between two page requests):
every format writes it once, spawns its child listings once, and counts the repeat in the
manifest and the summary, through an interruption and ``resume`` too."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from emulator_support import client_for
from export_support import (
    FORMATS,
    SHIFTED_PAGE_SIZE,
    SMALL,
    Shifting,
    assert_exported_once,
    interrupt_export,
    manifest_repeats,
    read_records,
    shifted_client,
)

from twilio_proxy_async._export import RESOURCES, Progress, run_export
from twilio_proxy_async.testing import Emulator

pytestmark = pytest.mark.twilio_emulator(demo=SMALL)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_record_listed_twice_is_exported_once_and_counted(
    emu: Emulator, tmp_path: Path, fmt: str
) -> None:
    shifting = Shifting()
    out = io.StringIO()
    async with shifted_client(emu, shifting) as client:
        summary = await run_export(
            client, tmp_path, fmt=fmt, page_size=SHIFTED_PAGE_SIZE, progress=Progress(out, "lines")
        )
    expected = shifting.counts()
    # Sessions span 6 pages per Service, numbers 2: the shift happened, and was counted.
    assert expected["sessions"] == 10 and expected["phone_numbers"] == 2
    assert manifest_repeats(tmp_path) == expected
    assert dict(summary.repeated) == expected
    assert "(10 listed twice by Twilio, kept once)" in out.getvalue()
    # One row per SID, and nothing lost: exactly the records the emulator holds.
    assert_exported_once(tmp_path, emu.snapshot(), fmt=fmt)
    assert summary.total == sum(len(records) for records in emu.snapshot().values())


@pytest.mark.twilio_emulator(demo=SMALL, record_requests=True)
async def test_a_repeated_record_spawns_its_child_listings_once(
    emu: Emulator, tmp_path: Path
) -> None:
    shifting = Shifting()
    async with shifted_client(emu, shifting) as client:
        await run_export(client, tmp_path, page_size=SHIFTED_PAGE_SIZE)
    listed = Counter(
        request.path for request in emu.requests if request.path.endswith("/Participants")
    )
    sessions = read_records(tmp_path, "sessions")
    assert len(listed) == len(sessions)
    assert set(listed.values()) == {1}, "a Session's Participants listed twice"


async def test_nothing_repeated_counts_zero(emu: Emulator, tmp_path: Path) -> None:
    async with client_for(emu) as client:
        summary = await run_export(client, tmp_path, page_size=SHIFTED_PAGE_SIZE)
    assert manifest_repeats(tmp_path) == dict.fromkeys(RESOURCES, 0)
    assert set(summary.repeated.values()) == {0}


# After 3 pages a Service's numbers are part-way (their SIDs are read back from the store);
# after 12, its Sessions (their SIDs are those the journal says they spawned listings for).
@pytest.mark.parametrize("pages", [3, 12])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_repeats_across_an_interruption_are_still_written_once(
    emu: Emulator, tmp_path: Path, fmt: str, pages: int
) -> None:
    shifting = Shifting()
    async with shifted_client(emu, shifting) as client:
        await interrupt_export(client, tmp_path, pages, fmt=fmt, page_size=SHIFTED_PAGE_SIZE)
    # The resumed listings are shifted the same way: the record that ends the last page
    # written before the interruption opens the first page after it.
    async with shifted_client(emu, shifting) as client:
        summary = await run_export(client, tmp_path, resume=True, page_size=SHIFTED_PAGE_SIZE)
    assert_exported_once(tmp_path, emu.snapshot(), fmt=fmt)
    assert manifest_repeats(tmp_path) == shifting.counts()
    assert dict(summary.repeated) == shifting.counts()
