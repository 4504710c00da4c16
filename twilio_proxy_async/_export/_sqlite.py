"""``--format sqlite``: one database, one typed table per resource, the journal inside it.

Each page's rows and its journal entry are one transaction, so the database alone says
which pages it holds: a crash loses the page being written, never half of it, and the
journal can never name rows the tables lack. The database runs in WAL mode while the
export writes (a commit then costs no fsync, yet survives the process being killed) and
is switched back to a single self-contained file before it is published.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from ._errors import JournalError
from ._journal import DONE_ENTRY, JournalHeader, Replay, page_entry, replay_lines
from ._schema import PARENT_FIELDS, Column, ColumnKind, columns_of
from ._stores import SQLITE_NAME, PageCommit, discard_files, parent_fields, part_name

__all__ = ["JOURNAL_TABLE", "SqliteStore", "read_sqlite_journal"]

JOURNAL_TABLE = "_export_journal"

_TYPES: dict[ColumnKind, str] = {
    "text": "TEXT",
    "integer": "INTEGER",
    "boolean": "INTEGER",
    "timestamp": "TEXT",
    "json": "TEXT",
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema(resource: str) -> list[str]:
    columns = columns_of(resource)
    definitions = ", ".join(
        f"{_quote(c.name)} {_TYPES[c.kind]}{' PRIMARY KEY' if c.name == 'sid' else ''}"
        for c in columns
    )
    statements = [f"CREATE TABLE {_quote(resource)} ({definitions})"]
    for column in columns:
        if column.name in PARENT_FIELDS:
            index = _quote(f"{resource}_{column.name}")
            statements.append(f"CREATE INDEX {index} ON {_quote(resource)} ({_quote(column.name)})")
    return statements


def _cell(column: Column, value: object) -> object:
    if value is None:
        return None
    if column.kind == "json":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if column.kind == "boolean":
        return int(bool(value))
    # Text and integers as they are; timestamps are already ISO-8601 UTC "...Z" text.
    return value


def _connect(path: Path) -> sqlite3.Connection:
    # Autocommit off by hand: every page is one explicit BEGIN ... COMMIT. Only the
    # export's writer thread uses the connection, never two threads at once.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _journal_lines(connection: sqlite3.Connection, name: str) -> list[bytes]:
    try:
        rows = connection.execute(f"SELECT entry FROM {JOURNAL_TABLE} ORDER BY seq").fetchall()
    except sqlite3.DatabaseError as exc:
        raise JournalError(f"{name} holds no export journal ({exc})") from None
    return [str(entry).encode() for (entry,) in rows]


def read_sqlite_journal(path: Path) -> Replay:
    """The state an unfinished database describes (opening it recovers its WAL, if any)."""
    connection = sqlite3.connect(path)
    try:
        return replay_lines(path.name, _journal_lines(connection, path.name))[0]
    finally:
        connection.close()


class SqliteStore:
    def __init__(self, out_dir: Path, connection: sqlite3.Connection, header: JournalHeader):
        self._out_dir = out_dir
        self._connection = connection
        self._part = out_dir / part_name("sqlite", "")
        self._inserts = {name: self._insert_statement(name) for name in header.resources}

    @staticmethod
    def _insert_statement(resource: str) -> str:
        names = [_quote(c.name) for c in columns_of(resource)]
        marks = ", ".join("?" * len(names))
        return f"INSERT INTO {_quote(resource)} ({', '.join(names)}) VALUES ({marks})"

    @classmethod
    def create(cls, out_dir: Path, header: JournalHeader) -> SqliteStore:
        path = out_dir / part_name("sqlite", "")
        # Built under another name and renamed once its tables and journal header are
        # committed: a database named ``.part`` always holds a journal to resume from.
        creating = path.with_name(path.name + ".creating")
        for leftover in (creating, creating.with_name(creating.name + "-journal")):
            leftover.unlink(missing_ok=True)
        statements = [
            f"CREATE TABLE {JOURNAL_TABLE} (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL)",
            *(statement for name in header.resources for statement in _schema(name)),
        ]
        connection = sqlite3.connect(creating, isolation_level=None)
        with contextlib.closing(connection), _transaction(connection):
            for statement in statements:
                connection.execute(statement)
            cls._append(connection, header.to_json())
        os.replace(creating, path)
        return cls(out_dir, _connect(path), header)

    @classmethod
    def reopen(cls, out_dir: Path) -> tuple[SqliteStore, Replay]:
        path = out_dir / part_name("sqlite", "")
        connection = _connect(path)
        try:
            replay = replay_lines(path.name, _journal_lines(connection, path.name))[0]
        except BaseException:
            connection.close()
            raise
        return cls(out_dir, connection, replay.header), replay

    @staticmethod
    def _append(connection: sqlite3.Connection, entry: object) -> None:
        text = json.dumps(entry, separators=(",", ":"))
        connection.execute(f"INSERT INTO {JOURNAL_TABLE} (entry) VALUES (?)", (text,))

    def commit(self, page: PageCommit) -> None:
        connection = self._connection
        with _transaction(connection):
            if page.written and page.items:
                columns = columns_of(page.resource)
                rows: Sequence[Sequence[object]] = [
                    [_cell(c, record.get(c.name)) for c in columns] for record in page.records()
                ]
                connection.executemany(self._inserts[page.resource], rows)
            entry = page_entry(
                page.listing, page.cursor, page.taken, page.repeated, None, None, page.spawn
            )
            self._append(connection, entry)

    def written(self, resource: str) -> Iterator[tuple[tuple[str, ...], str]]:
        columns = ", ".join(_quote(name) for name in (*parent_fields(resource), "sid"))
        for *parents, sid in self._connection.execute(f"SELECT {columns} FROM {_quote(resource)}"):
            yield tuple(parents), sid

    def finish(self) -> None:
        with _transaction(self._connection):
            self._append(self._connection, DONE_ENTRY)

    def publish(self) -> None:
        final = self._out_dir / SQLITE_NAME
        if not self._part.exists():
            return  # published before an interruption
        # Fold the WAL into the database and leave WAL mode, so the published file is
        # complete on its own (no -wal/-shm companions to lose when it is copied).
        self._connection.execute("PRAGMA journal_mode=DELETE")
        self._connection.close()
        with self._part.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(self._part, final)

    def close(self) -> None:
        self._connection.close()

    def discard(self) -> None:
        self.close()
        discard_files(self._out_dir, "sqlite", ())


class _transaction:
    """BEGIN ... COMMIT, or ROLLBACK when the body fails."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __enter__(self) -> None:
        self._connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        self._connection.execute("COMMIT" if exc_type is None else "ROLLBACK")
