"""The on-disk SID index behind repeat detection: exact page by page, in memory that does
not grow with the listing, consistent with the journal after a crash at any point, and
refilled from the store when it is lost, behind or damaged."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from export_support import (
    FORMATS,
    SMALL,
    Shifting,
    assert_exported_once,
    interrupt_export,
    manifest_repeats,
    shifted_client,
)
from export_support import SHIFTED_PAGE_SIZE as PAGE_SIZE

from twilio_proxy_async._export import _sqlite, _stores, run_export
from twilio_proxy_async._export._directory import inspect
from twilio_proxy_async._export._sids import SIDS_NAME, SidIndex
from twilio_proxy_async.testing import Emulator

pytestmark = pytest.mark.twilio_emulator(demo=SMALL)


def sid(number: int) -> str:
    return f"KC{number:032x}"


def test_a_page_is_checked_against_every_earlier_page_of_its_listing(tmp_path: Path) -> None:
    index = SidIndex.create(tmp_path)
    try:
        a, b, c, d = (sid(n) for n in range(4))
        assert index.admit("sessions/KS1", [a, b], 1, first=True, more=True) == [True, True]
        # A repeat of page 1, and a SID twice on one page: its first place is new.
        assert index.admit("sessions/KS1", [b, c, c], 2, first=False, more=True) == [
            False,
            True,
            False,
        ]
        # Another listing has its own SIDs.
        assert index.admit("sessions/KS2", [a], 3, first=False, more=True) == [True]
        assert index.admit("sessions/KS1", [a, c, d], 4, first=False, more=False) == [
            False,
            False,
            True,
        ]
    finally:
        index.close()


def test_a_listing_of_one_page_leaves_nothing_in_the_index(tmp_path: Path) -> None:
    index = SidIndex.create(tmp_path)
    try:
        assert index.admit("participants/KS1/KC1", [sid(1), sid(1)], 1, first=True, more=False) == [
            True,
            False,
        ]
    finally:
        index.close()
    assert index_rows(tmp_path) == []


def test_reconcile_drops_the_pages_the_journal_lacks_and_names_listings_it_disagrees_with(
    tmp_path: Path,
) -> None:
    index = SidIndex.create(tmp_path)
    try:
        index.admit("sessions/KS1", [sid(1), sid(2)], 1, first=True, more=True)
        index.admit("sessions/KS2", [sid(3)], 2, first=True, more=True)
        # Page 3 reached the index, never the journal (the process died in between).
        index.admit("sessions/KS1", [sid(4)], 3, first=False, more=True)
        assert index.reconcile(2, {"sessions/KS1": 2, "sessions/KS2": 1}) == []
        assert index.admit("sessions/KS1", [sid(4)], 3, first=False, more=True) == [True]
        # A listing holding fewer or more SIDs than its journal says it produced.
        assert index.reconcile(3, {"sessions/KS1": 4, "sessions/KS2": 0}) == [
            "sessions/KS1",
            "sessions/KS2",
        ]
    finally:
        index.close()


def test_memory_stays_bounded_whatever_the_number_of_sids(tmp_path: Path) -> None:
    """A set of SIDs grows about 125 bytes per record (2 MB for these 17,500 after the
    first 5 pages); the index's Python memory may not grow past a fixed bound."""
    pages, page_size = 40, 500
    index = SidIndex.create(tmp_path)
    tracemalloc.start()
    try:
        after_five = 0
        for number in range(1, pages + 1):
            start = (number - 1) * page_size
            # Every page repeats the one before's last SID, as a shifting listing does.
            listed = [sid(n) for n in range(max(start - 1, 0), start + page_size)]
            new = index.admit("sessions/KS1", listed, number, first=number == 1, more=True)
            assert new.count(False) == (number > 1)
            del listed, new
            if number == 5:
                after_five = tracemalloc.get_traced_memory()[0]
        grown = tracemalloc.get_traced_memory()[0] - after_five
    finally:
        tracemalloc.stop()
        index.close()
    assert grown < 64 * 1024, f"{grown} bytes more for {(pages - 5) * page_size} SIDs"
    assert len(index_rows(tmp_path)) == pages * page_size


def index_rows(out_dir: Path) -> list[tuple[str, str, int]]:
    with contextlib.closing(sqlite3.connect(out_dir / SIDS_NAME)) as db:
        return db.execute(
            "SELECT key, sid, page FROM sids JOIN listings ON listings.id = sids.listing"
        ).fetchall()


def journaled_pages(out_dir: Path) -> int:
    replay = inspect(out_dir).replay
    assert replay is not None
    return replay.pages


class Killed(BaseException):
    """Stands in for the process dying: nothing after it runs, no handler catches it."""


@contextlib.contextmanager
def killed_before_the_store_commits(page: int) -> Iterator[None]:
    """Make the export die once ``page`` multi-page Sessions pages were admitted to the
    index: that page's SIDs are committed there, its data and journal entry are not."""
    left = page
    originals = {store: store.commit for store in (_stores.FileStore, _sqlite.SqliteStore)}

    def commit(store: Any, commit_page: _stores.PageCommit) -> None:
        nonlocal left
        if commit_page.resource == "sessions" and commit_page.cursor is not None:
            left -= 1
            if left == 0:
                raise Killed
        originals[type(store)](store, commit_page)

    with pytest.MonkeyPatch.context() as patch:
        for store in originals:
            patch.setattr(store, "commit", commit)
        yield


def refill_refused(*_args: object) -> None:
    raise AssertionError("the index was refilled")


@pytest.mark.parametrize("fmt", FORMATS)
async def test_killed_between_the_index_and_the_store_resume_is_exact(
    emu: Emulator, tmp_path: Path, fmt: str
) -> None:
    shifting = Shifting()
    with killed_before_the_store_commits(3):
        async with shifted_client(emu, shifting) as client:
            with pytest.raises(Killed):
                await run_export(client, tmp_path, fmt=fmt, page_size=PAGE_SIZE)
    # The index is ahead of the journal by the page the store never committed: resumed as
    # it is, those records would pass for repeats and be lost.
    journaled = journaled_pages(tmp_path)
    ahead = [row for row in index_rows(tmp_path) if row[2] > journaled]
    assert len(ahead) == PAGE_SIZE, ahead
    with pytest.MonkeyPatch.context() as patch:
        # Dropping those rows is enough: nothing is read back from the store.
        patch.setattr(SidIndex, "refill", refill_refused)
        async with shifted_client(emu, shifting) as client:
            summary = await run_export(client, tmp_path, resume=True, page_size=PAGE_SIZE)
    assert_exported_once(tmp_path, emu.snapshot(), fmt=fmt)
    assert manifest_repeats(tmp_path) == shifting.counts() == dict(summary.repeated)
    assert SIDS_NAME not in os.listdir(tmp_path)


def lose_the_index(out_dir: Path) -> None:
    for path in out_dir.iterdir():
        if path.name.startswith(SIDS_NAME):
            path.unlink()


def lose_its_last_commit(out_dir: Path) -> None:
    """The journal ahead of the index (a power loss can take the index's unsynced tail):
    the rows of the last page an unfinished listing added are gone."""
    replay = inspect(out_dir).replay
    assert replay is not None
    unfinished = [key for key, state in replay.listings.items() if not state.finished]
    marks = ", ".join("?" * len(unfinished))
    with contextlib.closing(sqlite3.connect(out_dir / SIDS_NAME)) as db:
        (page,) = db.execute(
            "SELECT MAX(page) FROM sids JOIN listings ON listings.id = sids.listing "
            f"WHERE key IN ({marks})",
            unfinished,
        ).fetchone()
        assert page is not None, "an unfinished listing has SIDs in the index"
        db.execute("DELETE FROM sids WHERE page = ?", (page,))
        db.commit()


def damage_the_index(out_dir: Path) -> None:
    lose_the_index(out_dir)
    (out_dir / SIDS_NAME).write_bytes(b"not a database " * 300)


# After 3 pages a Service's numbers are part-way (refilled from the store's records); after
# 12, its Sessions (refilled from the SIDs the journal says they spawned listings for).
@pytest.mark.parametrize("pages", [3, 12])
@pytest.mark.parametrize("loss", [lose_the_index, lose_its_last_commit, damage_the_index])
@pytest.mark.parametrize("fmt", ["jsonl", "sqlite"])
async def test_an_index_lost_behind_or_damaged_is_refilled_on_resume(
    emu: Emulator, tmp_path: Path, fmt: str, loss: Any, pages: int
) -> None:
    shifting = Shifting()
    async with shifted_client(emu, shifting) as client:
        await interrupt_export(client, tmp_path, pages, fmt=fmt, page_size=PAGE_SIZE)
    assert index_rows(tmp_path), "the interrupted listings' SIDs are in the index"
    loss(tmp_path)
    async with shifted_client(emu, shifting) as client:
        await run_export(client, tmp_path, resume=True, page_size=PAGE_SIZE)
    assert_exported_once(tmp_path, emu.snapshot(), fmt=fmt)
    assert manifest_repeats(tmp_path) == shifting.counts()


async def test_a_stale_cursor_restart_still_writes_a_repeat_once(tmp_path: Path) -> None:
    """Restarted from its first page on a new emulator, a listing passes over what it
    listed before; the repeats after that are still recognised by the index."""
    shifting = Shifting()
    async with Emulator(demo=SMALL) as first:
        async with shifted_client(first, shifting) as client:
            await interrupt_export(client, tmp_path, 12, page_size=PAGE_SIZE)
        expected = first.snapshot()
    async with Emulator(demo=SMALL) as second, shifted_client(second, shifting) as client:
        await run_export(client, tmp_path, resume=True, page_size=PAGE_SIZE, stale_cursors=True)
    assert_exported_once(tmp_path, expected, ignore_origin=True)
    assert manifest_repeats(tmp_path) == shifting.counts()
