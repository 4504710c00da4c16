"""Where committed pages go: the data files of a format and the journal that confirms them.

A store's ``commit`` is synchronous and is only ever called from the export's one writer
thread, in commit order: the records are written, then the journal entry confirming them,
so whatever stops the process, the journal names exactly the records the store holds.
The file formats (JSONL, CSV, and Parquet staged as JSONL) keep a JSONL journal beside
their files; SQLite keeps it inside the database (``_sqlite.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs

from .._pagination import Cursor
from ._journal import JOURNAL_NAME, Journal, JournalHeader, Replay, page_entry
from ._schema import PARENT_FIELDS, TABLES
from ._writers import DataFile, Encoding, record_json

__all__ = [
    "MANIFEST_NAME",
    "SQLITE_NAME",
    "FileStore",
    "PageCommit",
    "Store",
    "discard_files",
    "final_name",
    "parent_fields",
    "part_name",
]

MANIFEST_NAME = "export-manifest.json"
SQLITE_NAME = "export.sqlite"


def final_name(fmt: str, resource: str) -> str:
    """The published file holding ``resource`` (SQLite: one database for all)."""
    return SQLITE_NAME if fmt == "sqlite" else f"{resource}.{fmt}"


def part_name(fmt: str, resource: str) -> str:
    """The file a running export writes; Parquet is staged as JSONL and built at publish."""
    if fmt == "parquet":
        return f"{resource}.parquet.jsonl.part"
    return f"{final_name(fmt, resource)}.part"


def discard_files(out_dir: Path, fmt: str, resources: Sequence[str]) -> None:
    """Remove an unfinished export: its journal and every partial file."""
    for name in resources:
        (out_dir / part_name(fmt, name)).unlink(missing_ok=True)
    if fmt == "sqlite":
        # The one database holds every resource: it goes even when no resource is named.
        for suffix in ("", "-wal", "-shm", "-journal"):
            (out_dir / (part_name(fmt, "") + suffix)).unlink(missing_ok=True)
    (out_dir / JOURNAL_NAME).unlink(missing_ok=True)


@attrs.frozen
class PageCommit:
    """One page as the writer thread commits it (models still: converting them is the
    writer's work, so the event loop is free for the next page's request meanwhile)."""

    listing: str
    resource: str
    parents: tuple[str, ...]
    items: Sequence[Any]
    cursor: Cursor | None
    taken: int
    spawn: Sequence[str]
    written: bool
    # Records of the listing so far that Twilio listed again and that were not written twice.
    repeated: int = 0

    def records(self) -> list[dict[str, object]]:
        parents = dict(zip(PARENT_FIELDS, self.parents, strict=False))
        return [record_json(item, parents) for item in self.items]


def parent_fields(resource: str) -> tuple[str, ...]:
    """The columns naming a record's parents, in path order."""
    return tuple(parent.name for parent in TABLES[resource].parents)


class Store(Protocol):
    def commit(self, page: PageCommit) -> None: ...

    def written(self, resource: str) -> Iterator[tuple[tuple[str, ...], str]]:
        """(parents' SIDs, SID) of every record of ``resource`` committed so far."""

    def finish(self) -> None:
        """Everything is committed and durable: only publishing remains."""

    def publish(self) -> None:
        """Give every file its final name (idempotent: a resumed publish completes it)."""

    def close(self) -> None: ...

    def discard(self) -> None:
        """Remove everything the store created (nothing worth keeping was saved)."""


class FileStore:
    """One data file per resource, and ``export-journal.jsonl``."""

    def __init__(self, out_dir: Path, header: JournalHeader, journal: Journal) -> None:
        self._out_dir = out_dir
        self._fmt = header.fmt
        encoding: Encoding = "csv" if header.fmt == "csv" else "jsonl"
        self._files = {
            name: DataFile(out_dir / part_name(header.fmt, name), name, encoding)
            for name in header.resources
        }
        self._journal = journal

    @classmethod
    def create(cls, out_dir: Path, header: JournalHeader) -> FileStore:
        store = cls(out_dir, header, Journal.create(out_dir / JOURNAL_NAME, header))
        store._open({})
        return store

    @classmethod
    def reopen(cls, out_dir: Path) -> tuple[FileStore, Replay]:
        journal, replay = Journal.reopen(out_dir / JOURNAL_NAME)
        store = cls(out_dir, replay.header, journal)
        if not replay.done:
            try:
                store._open(replay.offsets)
            except BaseException:
                store.close()
                raise
        return store, replay

    def _open(self, offsets: Mapping[str, int]) -> None:
        for name, file in self._files.items():
            file.open(offsets.get(name, 0))

    def commit(self, page: PageCommit) -> None:
        file = self._files.get(page.resource) if page.written else None
        offset = None
        if file is not None:
            if page.items:
                file.append(page.records())
            offset = file.offset
        self._journal.page(
            page_entry(
                page.listing,
                page.cursor,
                page.taken,
                page.repeated,
                page.resource,
                offset,
                page.spawn,
            )
        )

    def written(self, resource: str) -> Iterator[tuple[tuple[str, ...], str]]:
        return self._files[resource].written(parent_fields(resource))

    def finish(self) -> None:
        for file in self._files.values():
            file.sync()
        self._journal.finish()

    def publish(self) -> None:
        for file in self._files.values():
            file.close()
        for name, file in self._files.items():
            final = self._out_dir / final_name(self._fmt, name)
            if not file.part_path.exists():
                continue  # published before an interruption
            if self._fmt == "parquet":
                from ._parquet import build_parquet

                build_parquet(file.part_path, final, name)
                file.part_path.unlink()
            else:
                os.replace(file.part_path, final)

    def close(self) -> None:
        for file in self._files.values():
            file.close()
        self._journal.close()

    def discard(self) -> None:
        self.close()
        discard_files(self._out_dir, self._fmt, list(self._files))
