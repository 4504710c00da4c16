"""``--format parquet`` (the ``parquet`` extra): staged JSONL built into typed Parquet.

The export writes each resource as JSONL (resumable exactly like ``--format jsonl``) and
builds the Parquet file once every record is in, batch by batch, so memory stays bounded
by one batch whatever the size of the export. The schema is explicit, from the model:
timestamps as UTC instants, SIDs and phone numbers as strings, counts as int64, nested
objects as JSON text.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ._errors import ExportError
from ._schema import Column, columns_of

__all__ = ["build_parquet", "require_pyarrow"]

_BATCH = 10_000
_HINT = "--format parquet needs pyarrow: pip install 'twilio-proxy-async[parquet]'"


def require_pyarrow() -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``, or an ExportError saying how to install them."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise ExportError(_HINT) from None


def schema_of(resource: str) -> Any:
    pa, _ = require_pyarrow()
    types = {
        "text": pa.string(),
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "timestamp": pa.timestamp("ms", tz="UTC"),
        "json": pa.string(),
    }
    return pa.schema([pa.field(c.name, types[c.kind]) for c in columns_of(resource)])


def _value(column: Column, value: object) -> object:
    if value is None:
        return None
    if column.kind == "timestamp":
        return datetime.fromisoformat(str(value))
    if column.kind == "json":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def _batches(staging: Path, columns: tuple[Column, ...]) -> Iterator[dict[str, list[object]]]:
    batch: dict[str, list[object]] = {c.name: [] for c in columns}
    size = 0
    with staging.open(encoding="utf-8") as file:
        for line in file:
            record = json.loads(line)
            for column in columns:
                batch[column.name].append(_value(column, record.get(column.name)))
            size += 1
            if size == _BATCH:
                yield batch
                batch, size = {c.name: [] for c in columns}, 0
    if size:
        yield batch


def build_parquet(staging: Path, final: Path, resource: str) -> None:
    """Write ``final`` from the JSONL ``staging`` file, durably, then in one rename."""
    pa, pq = require_pyarrow()
    schema = schema_of(resource)
    columns = columns_of(resource)
    building = final.with_name(final.name + ".building")
    with pq.ParquetWriter(building, schema) as writer:
        for batch in _batches(staging, columns):
            writer.write_table(pa.Table.from_pydict(batch, schema=schema))
    with building.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(building, final)
