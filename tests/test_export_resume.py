"""Interrupted exports resumed: every record exactly once, whatever stopped them."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from emulator_support import client_for
from export_support import (
    PAGE_SIZE,
    SMALL,
    assert_exported_once,
    file_names,
    interrupt_export,
    leftovers,
    read_jsonl,
)

from twilio_proxy_async import ServerError, TwilioError
from twilio_proxy_async._export import RESOURCES, ExportError, JournalError, run_export
from twilio_proxy_async.testing import DemoData, Emulator, Faults, instant_retry_waits

JOURNAL = "export-journal.jsonl"


pytestmark = pytest.mark.twilio_emulator(demo=SMALL, record_requests=True)


async def interrupt_after(emu: Emulator, out_dir: Path, pages: int, fmt: str = "jsonl") -> None:
    async with client_for(emu) as client:
        await interrupt_export(client, out_dir, pages, fmt=fmt, page_size=PAGE_SIZE)


async def resume(emu: Emulator, out_dir: Path, **options: object) -> None:
    async with client_for(emu) as client:
        await run_export(client, out_dir, resume=True, page_size=PAGE_SIZE, **options)  # type: ignore[arg-type]


def journal_lines(out_dir: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out_dir / JOURNAL).read_bytes().splitlines()]


@pytest.mark.parametrize("pages", [1, 10, 40])
async def test_cancelled_then_resumed(emu: Emulator, tmp_path: Path, pages: int) -> None:
    await interrupt_after(emu, tmp_path, pages)
    assert JOURNAL in leftovers(tmp_path)
    assert not any(name.endswith(".jsonl") and name != JOURNAL for name in file_names(tmp_path))
    await resume(emu, tmp_path)
    assert_exported_once(tmp_path, emu.snapshot())
    assert leftovers(tmp_path) == []


async def test_resume_reports_what_the_interrupted_run_wrote(emu: Emulator, tmp_path: Path) -> None:
    await interrupt_after(emu, tmp_path, 30)
    written = {name: len(read_jsonl(tmp_path / f"{name}.jsonl.part")) for name in RESOURCES}
    async with client_for(emu) as client:
        summary = await run_export(client, tmp_path, resume=True)
    assert summary.carried_over == sum(written.values()) > 0
    assert summary.total == sum(len(v) for v in emu.snapshot().values())


async def test_resumes_from_the_journaled_cursor_not_the_first_page(
    emu: Emulator, tmp_path: Path
) -> None:
    # Past the one-page listings (Services, Chat Services, a Service's numbers and short
    # codes) and into the Sessions, which take several pages.
    await interrupt_after(emu, tmp_path, 6)
    latest = {line["listing"]: line["cursor"] for line in journal_lines(tmp_path)[1:]}
    part_way = [str(cursor[0]) for cursor in latest.values() if isinstance(cursor, list)]
    assert part_way, "the interruption should leave a listing part-way"
    seen = len(emu.requests)
    await resume(emu, tmp_path)
    urls = [f"{r.path}?{r.raw_query}" for r in emu.requests[seen:]]
    for page_url in part_way:
        assert any(page_url.endswith(url) for url in urls)
    started_over = {url.split("?")[0] for url in urls if "PageToken" not in url}
    assert not any(urlsplit(url).path in started_over for url in part_way)
    assert_exported_once(tmp_path, emu.snapshot())


async def test_a_5xx_storm_that_exhausts_retries_then_resume(emu: Emulator, tmp_path: Path) -> None:
    _, other = (s["sid"] for s in emu.snapshot()["services"])
    # Every Session listing of the second service fails, whatever the retries.
    emu.faults = Faults(rate_500=1.0, path_prefix=f"/v1/Services/{other}/Sessions")
    async with client_for(emu, max_retries=2) as client:
        instant_retry_waits(client)
        with pytest.raises(ServerError):
            await run_export(client, tmp_path, page_size=PAGE_SIZE)
    assert emu.stats.faults_injected["rate_500"] >= 3
    emu.faults = Faults()
    await resume(emu, tmp_path)
    assert_exported_once(tmp_path, emu.snapshot())


async def test_a_torn_last_journal_line_is_ignored(emu: Emulator, tmp_path: Path) -> None:
    await interrupt_after(emu, tmp_path, 25)
    with (tmp_path / JOURNAL).open("ab") as journal:
        journal.write(b'{"listing":"sessions/KS')
    await resume(emu, tmp_path)
    assert_exported_once(tmp_path, emu.snapshot())


async def test_a_page_journaled_halfway_is_written_again_once(
    emu: Emulator, tmp_path: Path
) -> None:
    """The crash between a page's data and its journal line: the data is on disk, the
    journal line is cut. The page is exported again, and only once."""
    await interrupt_after(emu, tmp_path, 25)
    path = tmp_path / JOURNAL
    raw = path.read_bytes()
    cut = raw.rindex(b"\n", 0, len(raw) - 1) + 1
    last = json.loads(raw[cut:])
    assert last["file"] is not None
    path.write_bytes(raw[: cut + len(raw[cut:]) // 2])
    await resume(emu, tmp_path)
    assert_exported_once(tmp_path, emu.snapshot())


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_part_files_are_cut_back_to_the_journaled_offset(
    emu: Emulator, tmp_path: Path, fmt: str
) -> None:
    await interrupt_after(emu, tmp_path, 25, fmt=fmt)
    for name in RESOURCES:
        with (tmp_path / f"{name}.{fmt}.part").open("ab") as part:
            part.write(b"GARBAGE, half a record\n{")
    await resume(emu, tmp_path)
    for name in RESOURCES:
        assert b"GARBAGE" not in (tmp_path / f"{name}.{fmt}").read_bytes()
    if fmt == "jsonl":
        assert_exported_once(tmp_path, emu.snapshot())


async def test_a_part_file_shorter_than_the_journal_says_is_refused(
    emu: Emulator, tmp_path: Path
) -> None:
    await interrupt_after(emu, tmp_path, 25)
    (tmp_path / "services.jsonl.part").write_bytes(b"")
    with pytest.raises(ExportError, match=r"services\.jsonl\.part"):
        await resume(emu, tmp_path)


async def test_damage_before_the_last_journal_line_is_refused(
    emu: Emulator, tmp_path: Path
) -> None:
    await interrupt_after(emu, tmp_path, 25)
    lines = (tmp_path / JOURNAL).read_bytes().splitlines(keepends=True)
    lines[2] = b"not json\n"
    (tmp_path / JOURNAL).write_bytes(b"".join(lines))
    with pytest.raises(JournalError, match="line 3"):
        await resume(emu, tmp_path)


async def test_a_stale_cursor_restarts_the_listing_and_skips_what_was_written(
    tmp_path: Path,
) -> None:
    """The CLI's demo: a resumed export meets a new emulator (same data, other port,
    other page-token secret) that cannot read the cursors of the first one."""
    async with Emulator(demo=SMALL) as first:
        await interrupt_after(first, tmp_path, 30)
        expected = first.snapshot()
    async with Emulator(demo=SMALL) as second:
        await resume(second, tmp_path, stale_cursors=True)
    assert_exported_once(tmp_path, expected, ignore_origin=True)


async def test_random_faults_and_repeated_resumes_keep_every_record_once(
    tmp_path: Path,
) -> None:
    demo = DemoData(services=3, phone_numbers_per_service=4, sessions_per_service=15)
    faults = Faults(
        rate_429=0.08,
        rate_500=0.08,
        rate_reset=0.05,
        rate_reset_mid_body=0.03,
        rate_truncated_json=0.02,
        seed=11,
    )
    async with Emulator(demo=demo, faults=faults) as emu:
        failures = 0
        for _attempt in range(60):
            async with client_for(emu, max_retries=2) as client:
                instant_retry_waits(client)
                try:
                    await run_export(client, tmp_path, resume=True, page_size=4)
                except TwilioError:
                    failures += 1
                    continue
            break
        else:
            pytest.fail("the export never completed")
        injected = emu.stats.faults_injected
        emu.faults = Faults()
        assert failures >= 1, "the faults should have stopped the export at least once"
        assert set(injected) >= {"rate_429", "rate_500", "rate_reset"}
        assert_exported_once(tmp_path, emu.snapshot())
