"""Data files: records as JSON values, encoded as JSONL or CSV, appended to a ``.part`` file.

Each append moves the byte offset the file reaches once the page is flushed; the journal
records it, so a resumed export can cut the file back to exactly the pages it knows about.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Literal

import attrs

from .._serialization import to_dict
from ._errors import ExportError
from ._schema import columns_of

__all__ = ["FORMATS", "DataFile", "Encoding", "Format", "JsonRecord", "record_json"]

Format = Literal["jsonl", "csv", "sqlite", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "sqlite", "parquet")
Encoding = Literal["jsonl", "csv"]
JsonRecord = dict[str, object]


def record_json(model: attrs.AttrsInstance, parents: Mapping[str, str]) -> JsonRecord:
    """A model as the JSON object the API sent (``to_dict``, the SDK's one serializer), with
    its parents' SIDs filled in where the record left them out, so every line of a child
    file names its parents."""
    record: JsonRecord = to_dict(model)
    for name, sid in parents.items():
        if record.get(name) is None:
            record[name] = sid
    return record


def _csv_cell(value: object) -> str:
    # Strings go in as they are; everything else (numbers, booleans, nested objects and
    # lists) as JSON, so a reader can tell 3600 from "3600" by the column's meaning alone.
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _encode_jsonl(records: Sequence[JsonRecord]) -> bytes:
    lines = [json.dumps(record, separators=(",", ":"), ensure_ascii=False) for record in records]
    lines.append("")
    return "\n".join(lines).encode()


def _encode_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


class DataFile:
    """One resource's records as JSONL or CSV, appended to ``part_path`` while running."""

    def __init__(self, part_path: Path, resource: str, encoding: Encoding) -> None:
        self.resource = resource
        self.encoding = encoding
        self.part_path = part_path
        self.columns = [column.name for column in columns_of(resource)]
        self._file: IO[bytes] | None = None
        self.offset = 0

    def open(self, offset: int) -> None:
        """Open for appending, cut back to ``offset``: bytes past it belong to a page the
        journal never confirmed (a crash between writing and journaling)."""
        if offset > 0:
            size = self.part_path.stat().st_size if self.part_path.exists() else 0
            if size < offset:
                raise ExportError(
                    f"{self.part_path.name} holds {size} bytes, fewer than the {offset} "
                    "the journal confirmed; the export cannot be resumed"
                )
            os.truncate(self.part_path, offset)
        else:
            self.part_path.write_bytes(b"")
        self._file = self.part_path.open("ab")
        self.offset = offset
        if offset == 0 and self.encoding == "csv":
            self._write(_encode_csv([self.columns]))

    def append(self, records: Sequence[JsonRecord]) -> int:
        """Write and flush one page; returns the offset the file now ends at."""
        if self.encoding == "jsonl":
            self._write(_encode_jsonl(records))
        else:
            columns = self.columns
            rows = [[_csv_cell(record.get(name)) for name in columns] for record in records]
            self._write(_encode_csv(rows))
        return self.offset

    def _write(self, data: bytes) -> None:
        assert self._file is not None, "append() before open()"
        self._file.write(data)
        self._file.flush()
        self.offset += len(data)

    def written(self, parent_fields: Sequence[str]) -> Iterator[tuple[tuple[str, ...], str]]:
        """(parents' SIDs, SID) of each record the file holds, read back from its text."""
        if self._file is not None:
            self._file.flush()
        with self.part_path.open(encoding="utf-8", newline="") as file:
            records: Iterator[Mapping[str, object]]
            if self.encoding == "jsonl":
                records = (json.loads(line) for line in file)
            else:
                records = csv.DictReader(file)
            for record in records:
                parents = tuple(str(record[name]) for name in parent_fields)
                yield parents, str(record["sid"])

    def sync(self) -> None:
        """Make what was written durable (before the journal says the export is done)."""
        if self._file is not None:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            file.close()
