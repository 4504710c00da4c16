"""The SIDs each listing produced, on disk: how a record Twilio lists twice is recognised
in memory that does not grow with the listing.

A listing's later page may repeat a record of an earlier one (live data shifting between
requests), so a page is checked against every SID its listing produced before. Held in a
set, that is about 120 bytes per record (a Service with a million Sessions: over 200 MB at
peak, as the set grows by doubling); here it is an SQLite database in the output directory,
``export-sids.sqlite.part``, whose only memory is SQLite's bounded page cache. A listing done
in one page (most: a Session's Participants and Interactions) never touches it: nothing can
repeat across its pages, and a repeat within one page is seen on the page itself.

Each row carries the journal's number of the page that added it, and a page's SIDs are
committed here before the store commits the page and its journal entry. A crash between
the two leaves rows of a page the journal never confirmed; ``reconcile`` drops every row
numbered past the journal's last page, then checks each resumed listing holds exactly the
records its journal says it produced. A listing that does not (the index lost a commit,
was removed, damaged, or predates this file) is refilled from the SIDs it spawned listings
for, else from what the store holds. The file is staging only: removed when the export is
published or discarded.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

__all__ = ["SIDS_NAME", "SidIndex", "remove_sids"]

SIDS_NAME = "export-sids.sqlite.part"
# SQLite's page cache for the index, in KiB (negative: a size, not a page count): the
# whole of its memory, whatever the number of SIDs.
_CACHE_KIB = 2048

_SCHEMA = (
    "CREATE TABLE listings (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE)",
    "CREATE TABLE sids (listing INTEGER NOT NULL, sid TEXT NOT NULL, page INTEGER NOT NULL, "
    "PRIMARY KEY (listing, sid)) WITHOUT ROWID",
)


def remove_sids(out_dir: Path) -> None:
    """Remove the index, and the companions SQLite may leave beside it after a crash."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (out_dir / (SIDS_NAME + suffix)).unlink(missing_ok=True)


def _connect(path: Path) -> sqlite3.Connection:
    # Used by the writer thread and, for a listing's last page, the event loop thread:
    # always under the engine's commit lock, never by two at once.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # WAL without syncs: a commit survives the process being killed, and costs no fsync.
    # After a power loss the index may lack its last commits; ``reconcile`` notices that.
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
    return connection


class SidIndex:
    """Which SIDs each listing in progress produced, committed page by page."""

    def __init__(self, out_dir: Path, connection: sqlite3.Connection) -> None:
        self._out_dir = out_dir
        self._connection = connection
        # The ids of the listings now being paged through (dropped at their last page).
        self._ids: dict[str, int] = {}

    @classmethod
    def create(cls, out_dir: Path) -> SidIndex:
        remove_sids(out_dir)
        connection = _connect(out_dir / SIDS_NAME)
        with _transaction(connection):
            for statement in _SCHEMA:
                connection.execute(statement)
        return cls(out_dir, connection)

    @classmethod
    def reopen(cls, out_dir: Path) -> SidIndex:
        """The index an interrupted run left; a new, empty one when it is missing or
        unreadable (``reconcile`` then has every resumed listing refilled)."""
        if not (out_dir / SIDS_NAME).exists():
            return cls.create(out_dir)
        connection = None
        try:
            connection = _connect(out_dir / SIDS_NAME)
            connection.execute("SELECT id, key FROM listings LIMIT 1").fetchall()
            connection.execute("SELECT listing, sid, page FROM sids LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            if connection is not None:
                connection.close()
            return cls.create(out_dir)
        return cls(out_dir, connection)

    def admit(
        self, listing: str, sids: Sequence[str], page: int, *, first: bool, more: bool
    ) -> list[bool]:
        """Which of a page's records are new to ``listing`` (a SID twice on one page: its
        first place). ``first``: no page of the listing came before; ``more``: others
        follow, so this page's new SIDs are recorded as page number ``page``.

        A page costs SQLite one call (two when it repeats a record), not one per SID:
        each call hands the GIL to the event loop and may wait to get it back."""
        known: set[str] = set()
        if not more:
            self._ids.pop(listing, None)
            if not first:
                known.update(self._known(listing, sids, page))
        else:
            distinct = list(dict.fromkeys(sids))
            # One statement, its own transaction; a SID an earlier page added stays.
            added = self._connection.execute(
                "INSERT OR IGNORE INTO sids (listing, sid, page) "
                "SELECT ?, value, ? FROM json_each(?)",
                (self._id(listing, create=True), page, json.dumps(distinct)),
            ).rowcount
            if added < len(distinct):
                known.update(self._known(listing, distinct, page))
        new = []
        for sid in sids:
            is_new = sid not in known
            new.append(is_new)
            known.add(sid)
        return new

    def _known(self, listing: str, sids: Sequence[str], page: int) -> list[str]:
        """The SIDs of ``sids`` a page of ``listing`` before ``page`` produced."""
        listing_id = self._id(listing, create=False)
        if listing_id is None:
            return []
        (known,) = self._connection.execute(
            "SELECT json_group_array(value) FROM json_each(?) WHERE EXISTS "
            "(SELECT 1 FROM sids WHERE listing = ? AND sid = value AND page < ?)",
            (json.dumps(sids), listing_id, page),
        ).fetchone()
        found: list[str] = json.loads(known)
        return found

    def _id(self, listing: str, *, create: bool) -> int | None:
        listing_id = self._ids.get(listing)
        if listing_id is None:
            row = self._connection.execute(
                "SELECT id FROM listings WHERE key = ?", (listing,)
            ).fetchone()
            if row is not None:
                listing_id = int(row[0])
            elif create:
                cursor = self._connection.execute(
                    "INSERT INTO listings (key) VALUES (?)", (listing,)
                )
                listing_id = cursor.lastrowid
            if listing_id is not None:
                self._ids[listing] = listing_id
        return listing_id

    def reconcile(self, pages: int, taken: Mapping[str, int]) -> list[str]:
        """Bring the index back to the journal's ``pages`` committed pages; returns the
        resumed listings (by key, with the records their journal says they produced)
        whose SIDs it does not hold exactly, for ``refill``."""
        with _transaction(self._connection):
            self._connection.execute("DELETE FROM sids WHERE page > ?", (pages,))
        wrong = []
        for listing, produced in taken.items():
            listing_id = self._id(listing, create=False)
            held = 0
            if listing_id is not None:
                (held,) = self._connection.execute(
                    "SELECT COUNT(*) FROM sids WHERE listing = ?", (listing_id,)
                ).fetchone()
            if held != produced:
                wrong.append(listing)
        return wrong

    def refill(self, listings: Iterable[str], sids: Iterable[tuple[str, str]]) -> None:
        """Replace what the index holds for ``listings`` by ``sids``, (listing, SID) pairs
        read back from the journal or the store (streamed: none is held here)."""
        connection = self._connection
        with _transaction(connection):
            for listing in listings:
                listing_id = self._id(listing, create=True)
                connection.execute("DELETE FROM sids WHERE listing = ?", (listing_id,))
            # Page 0 precedes every journaled page: no later reconcile drops these rows.
            connection.executemany(
                "INSERT OR IGNORE INTO sids (listing, sid, page) VALUES (?, ?, 0)",
                ((self._ids[listing], sid) for listing, sid in sids),
            )

    def close(self) -> None:
        self._connection.close()


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
