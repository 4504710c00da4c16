"""The export engine against the emulator on 127.0.0.1: what lands in the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from emulator_support import client_for
from export_support import (
    PAGE_SIZE,
    SMALL,
    assert_exported_once,
    csv_cell,
    data_files,
    file_contents,
    leftovers,
    read_csv,
    read_jsonl,
)

from twilio_proxy_async import Participant
from twilio_proxy_async._export import RESOURCES, ExportError, run_export
from twilio_proxy_async._export._schema import columns_of
from twilio_proxy_async._export._writers import record_json
from twilio_proxy_async.testing import DemoData, Emulator, Faults

pytestmark = pytest.mark.twilio_emulator(demo=SMALL, record_requests=True)


async def test_every_record_exactly_once_as_the_api_serves_it(
    emu: Emulator, tmp_path: Path
) -> None:
    async with client_for(emu) as client:
        summary = await run_export(client, tmp_path, page_size=PAGE_SIZE)
    snapshot = emu.snapshot()
    assert_exported_once(tmp_path, snapshot)
    assert data_files(tmp_path) == sorted(f"{r}.jsonl" for r in RESOURCES)
    assert dict(summary.counts) == {name: len(snapshot[name]) for name in RESOURCES}
    assert summary.carried_over == 0
    assert summary.files["sessions"] == tmp_path / "sessions.jsonl"


async def test_jsonl_is_one_compact_object_per_line_with_utc_z_dates(
    emu: Emulator, tmp_path: Path
) -> None:
    async with client_for(emu) as client:
        await run_export(client, tmp_path, resources=["sessions"])
    lines = (tmp_path / "sessions.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert lines[0] == json.dumps(first, separators=(",", ":"))
    assert first["date_created"].endswith("Z") and first["date_expiry"] is None
    assert list(first) == [column.name for column in columns_of("sessions")]


async def test_csv_has_a_header_and_round_trips(emu: Emulator, tmp_path: Path) -> None:
    async with client_for(emu) as client:
        await run_export(client, tmp_path, fmt="csv", page_size=PAGE_SIZE)
    snapshot = emu.snapshot()
    assert data_files(tmp_path) == sorted(f"{r}.csv" for r in RESOURCES)
    for resource in RESOURCES:
        rows = read_csv(tmp_path / f"{resource}.csv")
        assert list(rows[0]) == [column.name for column in columns_of(resource)]
        assert len(rows) == len({row["sid"] for row in rows}) == len(snapshot[resource])
        expected = {
            record["sid"]: {name: csv_cell(value) for name, value in record.items()}
            for record in snapshot[resource]
        }
        assert {row["sid"]: row for row in rows} == expected
    session_row = read_csv(tmp_path / "sessions.csv")[0]
    assert json.loads(session_row["links"])["participants"].endswith("/Participants")
    assert json.loads(session_row["ttl"]) == 3600


async def test_a_subset_lists_its_parents_but_writes_only_itself(
    emu: Emulator, tmp_path: Path
) -> None:
    async with client_for(emu) as client:
        summary = await run_export(client, tmp_path, resources=["participants"], page_size=5)
    assert data_files(tmp_path) == ["participants.jsonl"]
    assert_exported_once(tmp_path, emu.snapshot(), ["participants"])
    assert list(summary.counts) == ["participants"]


def test_parent_sids_are_filled_in_where_a_record_lacks_them() -> None:
    bare = Participant(sid="KP" + "1" * 32, session_sid=None, service_sid=None)
    record = record_json(bare, {"service_sid": "KS" + "2" * 32, "session_sid": "KC" + "3" * 32})
    assert record["service_sid"] == "KS" + "2" * 32
    assert record["session_sid"] == "KC" + "3" * 32
    carried = Participant(sid="KP" + "1" * 32, session_sid="KC" + "4" * 32)
    kept = record_json(carried, {"session_sid": "KC" + "3" * 32})
    assert kept["session_sid"] == "KC" + "4" * 32


async def test_listings_run_concurrently_within_the_clients_limit(tmp_path: Path) -> None:
    demo = DemoData(services=3, phone_numbers_per_service=2, sessions_per_service=20)
    async with Emulator(demo=demo, faults=Faults(latency=0.005)) as emu:
        async with client_for(emu, max_concurrency=4) as client:
            await run_export(client, tmp_path, workers=8, page_size=PAGE_SIZE)
        assert 1 < emu.stats.max_in_flight <= 4
        assert_exported_once(tmp_path, emu.snapshot())


async def test_each_listing_pages_with_prefetch_and_the_requested_size(
    emu: Emulator, tmp_path: Path
) -> None:
    async with client_for(emu) as client:
        await run_export(client, tmp_path, page_size=PAGE_SIZE, resources=["sessions"])
    pages = [r for r in emu.requests if r.path.endswith("/Sessions")]
    # 12 sessions per service in pages of 5: three pages each, nothing fetched twice.
    assert len(pages) == 6
    assert len({(r.path, r.raw_query) for r in pages}) == 6
    assert all(dict(r.query)["PageSize"] == "5" for r in pages)


async def test_defaults_to_the_largest_page_each_api_allows(emu: Emulator, tmp_path: Path) -> None:
    async with client_for(emu) as client:
        await run_export(client, tmp_path, resources=["sessions", "chat_services"])
    sizes = {r.path.split("/")[1]: dict(r.query).get("PageSize") for r in emu.requests}
    assert sizes == {"v1": "1000", "v2": "100"}


async def test_refuses_an_unfinished_export_without_resume(emu: Emulator, tmp_path: Path) -> None:
    emu.faults = Faults(rate_500=1.0, path_prefix="/v1/Services/")
    async with client_for(emu, max_retries=0) as client:
        with pytest.raises(Exception, match="Internal Server Error"):
            await run_export(client, tmp_path)
        assert "export-journal.jsonl" in leftovers(tmp_path)
        before = file_contents(tmp_path)
        with pytest.raises(ExportError, match="--resume"):
            await run_export(client, tmp_path)
        with pytest.raises(ExportError, match="jsonl"):
            await run_export(client, tmp_path, resume=True, fmt="csv")
        with pytest.raises(ExportError, match="--resources"):
            await run_export(client, tmp_path, resume=True, resources=["services"])
        with pytest.raises(ExportError, match="another account or server"):
            await run_export(client, tmp_path, resume=True, source={"kind": "elsewhere"})
        assert file_contents(tmp_path) == before


async def test_refuses_part_files_without_a_journal(emu: Emulator, tmp_path: Path) -> None:
    (tmp_path / "sessions.csv.part").write_text("sid\n")
    async with client_for(emu) as client:
        for resume in (False, True):
            with pytest.raises(ExportError, match=r"sessions\.csv\.part"):
                await run_export(client, tmp_path, resume=resume)


async def test_resume_without_a_journal_starts_afresh(emu: Emulator, tmp_path: Path) -> None:
    async with client_for(emu) as client:
        await run_export(client, tmp_path, resume=True)
    assert_exported_once(tmp_path, emu.snapshot())


async def test_files_of_unknown_origin_are_replaced_only_with_overwrite(
    emu: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "services.jsonl").write_text('{"sid": "stale"}\n')
    (tmp_path / "sessions.csv").write_text("sid\nstale\n")
    (tmp_path / "notes.txt").write_text("mine")
    async with client_for(emu) as client:
        with pytest.raises(ExportError, match=r"services\.jsonl.*--overwrite"):
            await run_export(client, tmp_path, resources=["services"])
        assert not emu.requests
        await run_export(client, tmp_path, resources=["services"], overwrite=True)
    assert [r["sid"] for r in read_jsonl(tmp_path / "services.jsonl")] == [
        s["sid"] for s in emu.snapshot()["services"]
    ]
    # One export per directory: the CSV of another export does not stay beside the JSONL.
    assert data_files(tmp_path) == ["notes.txt", "services.jsonl"]


async def test_rejects_unknown_resources_and_formats(emu: Emulator, tmp_path: Path) -> None:
    async with client_for(emu) as client:
        with pytest.raises(ExportError, match="calls"):
            await run_export(client, tmp_path / "a", resources=["calls"])
        with pytest.raises(ExportError, match="xml"):
            await run_export(client, tmp_path / "b", fmt="xml")


@pytest.mark.parametrize(("backlog", "bounded"), [(50, True), (100_000, False)])
async def test_waiting_child_listings_stay_bounded_by_the_backlog(
    tmp_path: Path, backlog: int, bounded: bool
) -> None:
    demo = DemoData(
        services=1,
        phone_numbers_per_service=1,
        sessions_per_service=1500,
        participants_per_session=1,
        interactions_per_session=1,
        chat_services=0,
    )
    async with Emulator(demo=demo) as emulator, client_for(emulator) as client:
        summary = await run_export(client, tmp_path, page_size=100, workers=4, backlog=backlog)
        assert_exported_once(tmp_path, emulator.snapshot())
    # One Sessions page queues 2 x 100 listings past the check; nothing more may pile up.
    if bounded:
        assert summary.peak_waiting <= backlog + 2 * 100
    else:
        # The same export without a usable bound shows what the backlog prevents.
        assert summary.peak_waiting > 1000
