"""The progress journal: one entry per committed page, appended in commit order.

For the file formats it is an append-only JSONL file beside the data; for SQLite it is a
table of the database, written in the same transaction as the page's rows.

The first line describes the export (format, resources, where the data comes from). Every
other line is written only after its page's records were written and flushed, and says:
which listing, where that listing goes on (its cursor, null once it is finished), how many
records it has produced, how many records Twilio listed again that it had already produced
(kept once, counted), the offset its data file reached, and the SIDs on the page whose own
listings (a Service's Sessions, a Session's Participants) are now due. Replaying the
lines rebuilds the whole state; a torn last line (a crash mid-append) is dropped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import attrs

from .._pagination import Cursor
from ._errors import JournalError

__all__ = [
    "JOURNAL_NAME",
    "Journal",
    "JournalError",
    "JournalHeader",
    "ListingState",
    "Replay",
    "page_entry",
    "read_journal",
    "replay_lines",
]

JOURNAL_NAME = "export-journal.jsonl"
_VERSION = 1


@attrs.frozen(kw_only=True)
class JournalHeader:
    fmt: str
    resources: tuple[str, ...]
    source: Mapping[str, str | int]

    def to_json(self) -> dict[str, object]:
        return {
            "journal": _VERSION,
            "format": self.fmt,
            "resources": list(self.resources),
            "source": dict(self.source),
        }

    @classmethod
    def from_json(cls, data: object) -> JournalHeader:
        if not isinstance(data, dict) or data.get("journal") != _VERSION:
            raise JournalError("the first line is not an export journal header")
        fmt, resources, source = data.get("format"), data.get("resources"), data.get("source")
        if (
            not isinstance(fmt, str)
            or not isinstance(resources, list)
            or not all(isinstance(name, str) for name in resources)
            or not isinstance(source, dict)
            or not all(isinstance(value, str | int) for value in source.values())
        ):
            raise JournalError("the journal header is malformed")
        return cls(fmt=fmt, resources=tuple(resources), source=source)


@attrs.define
class ListingState:
    """A listing as of its last committed page: ``taken`` records written, ``repeated``
    records listed again and not written twice (``taken + repeated`` were listed)."""

    cursor: Cursor | None
    taken: int
    repeated: int = 0

    @property
    def finished(self) -> bool:
        return self.cursor is None


@attrs.define
class Replay:
    header: JournalHeader
    listings: dict[str, ListingState] = attrs.field(factory=dict)
    spawned: list[tuple[str, str]] = attrs.field(factory=list)
    offsets: dict[str, int] = attrs.field(factory=dict)
    done: bool = False
    pages: int = 0

    def apply(self, entry: object) -> None:
        if not isinstance(entry, dict):
            raise ValueError("not a JSON object")
        if entry.get("done") is True:
            self.done = True
            return
        key, cursor, taken = entry["listing"], entry["cursor"], entry["taken"]
        # Absent from the entries of journals written before repeats were counted.
        repeated = entry.get("repeated", 0)
        if not isinstance(key, str) or type(taken) is not int or type(repeated) is not int:
            raise ValueError("bad listing, taken or repeated")
        if cursor is None:
            self.listings[key] = ListingState(None, taken, repeated)
        else:
            page_url, offset = cursor
            if not isinstance(page_url, str) or type(offset) is not int:
                raise ValueError("bad cursor")
            self.listings[key] = ListingState(Cursor(page_url, offset), taken, repeated)
        file, offset = entry["file"], entry["offset"]
        if isinstance(file, str) and type(offset) is int:
            self.offsets[file] = offset
        spawn = entry["spawn"]
        if not isinstance(spawn, list) or not all(isinstance(sid, str) for sid in spawn):
            raise ValueError("bad spawn")
        self.spawned.extend((key, sid) for sid in spawn)
        self.pages += 1

    def records(self, resources: Sequence[str]) -> int:
        """Records the files hold for ``resources`` (a listing's ``taken`` counts them)."""
        return sum(self.by_resource(resources, "taken").values())

    def by_resource(self, resources: Sequence[str], count: str) -> dict[str, int]:
        """Each resource's ``taken`` or ``repeated`` records, summed over its listings."""
        counts = dict.fromkeys(resources, 0)
        for key, state in self.listings.items():
            resource = key.split("/")[0]
            if resource in counts:
                counts[resource] += getattr(state, count)
        return counts

    def spawned_by(self) -> dict[str, set[str]]:
        """The SIDs each listing spawned child listings for, by the listing's key."""
        found: dict[str, set[str]] = {}
        for key, sid in self.spawned:
            found.setdefault(key, set()).add(sid)
        return found


def page_entry(
    listing: str,
    cursor: Cursor | None,
    taken: int,
    repeated: int,
    file: str | None,
    offset: int | None,
    spawn: Sequence[str],
) -> dict[str, object]:
    return {
        "listing": listing,
        "cursor": None if cursor is None else [cursor.page_url, cursor.offset],
        "taken": taken,
        "repeated": repeated,
        "file": file,
        "offset": offset,
        "spawn": list(spawn),
    }


DONE_ENTRY: Mapping[str, object] = {"done": True}


def replay_lines(name: str, lines: Sequence[bytes]) -> tuple[Replay, int]:
    """Replay complete lines (header first); returns the state and how many of the lines
    were sound (a torn last one is left out)."""
    if not lines:
        raise JournalError(f"{name} has no complete header line")
    try:
        header = JournalHeader.from_json(json.loads(lines[0]))
    except ValueError as exc:
        raise JournalError(f"{name}: unreadable header ({exc})") from None
    replay = Replay(header)
    for number, line in enumerate(lines[1:], start=2):
        try:
            replay.apply(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            if number < len(lines):
                raise JournalError(f"{name}: line {number} is damaged ({exc})") from None
            # A newline-terminated last line can still be torn when the disk lost
            # the end of the write; the page it described is simply done again.
            return replay, number - 1
    return replay, len(lines)


def _complete_lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    # split() leaves what follows the last newline: empty when the file ends cleanly,
    # else a line whose append was cut short.
    lines.pop()
    return lines


def read_journal(path: Path) -> Replay:
    """The state a journal file describes, without changing it."""
    return replay_lines(path.name, _complete_lines(path.read_bytes()))[0]


class Journal:
    """Appends one flushed line per call; opened by ``create`` or ``reopen``."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    @classmethod
    def create(cls, path: Path, header: JournalHeader) -> Journal:
        journal = cls(path.open("wb"))
        journal._append(header.to_json())
        return journal

    @classmethod
    def reopen(cls, path: Path) -> tuple[Journal, Replay]:
        """Replay ``path`` and open it for appending after its last complete line."""
        lines = _complete_lines(path.read_bytes())
        replay, sound = replay_lines(path.name, lines)
        os.truncate(path, sum(len(line) + 1 for line in lines[:sound]))
        return cls(path.open("ab")), replay

    def _append(self, entry: Mapping[str, object]) -> None:
        self._file.write(json.dumps(entry, separators=(",", ":")).encode() + b"\n")
        self._file.flush()

    def page(self, entry: Mapping[str, object]) -> None:
        self._append(entry)

    def finish(self) -> None:
        """Every listing is done and every file flushed: only the renames remain."""
        self._append(DONE_ENTRY)
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()
