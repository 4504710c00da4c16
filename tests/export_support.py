"""Shared by the export tests: demo sizes, reading the exported files, comparing them."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import importlib.util
import io
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from emulator_support import client_for

from twilio_proxy_async import AiohttpTransport, Client, RawResponse
from twilio_proxy_async._export import FORMATS as EXPORT_FORMATS
from twilio_proxy_async._export import RESOURCES, Progress, run_export
from twilio_proxy_async._export._schema import columns_of
from twilio_proxy_async._table import COLLECTIONS
from twilio_proxy_async.testing import DemoData, Emulator

# Every format, as test parameters; Parquet's skip cleanly without the parquet extra.
FORMATS = [
    *(fmt for fmt in EXPORT_FORMATS if fmt != "parquet"),
    pytest.param(
        "parquet",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("pyarrow") is None, reason="the parquet extra is not installed"
        ),
    ),
]

# 2 services x 12 sessions, in pages of 5 so that every listing but the children's spans
# several pages.
SMALL = DemoData(services=2, phone_numbers_per_service=3, sessions_per_service=12)
PAGE_SIZE = 5
MANIFEST = "export-manifest.json"
_ORIGIN = re.compile(r"http://127\.0\.0\.1:\d+")

Record = dict[str, Any]


def read_jsonl(path: Path) -> list[Record]:
    with path.open(encoding="utf-8") as file:
        return [json.loads(line) for line in file]


def csv_cell(value: object) -> str:
    """How a JSON value is expected in a CSV cell, written independently of the exporter."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def by_sid(records: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {record["sid"]: record for record in records}


def without_origin(record: Mapping[str, Any]) -> Record:
    """A record with its URLs' origin blanked: two emulator runs serve the same demo data
    on different ports."""
    loaded: Record = json.loads(_ORIGIN.sub("ORIGIN", json.dumps(record)))
    return loaded


def _from_cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json.loads(value)
    if kind == "boolean":
        return bool(value)
    if kind == "timestamp" and not isinstance(value, str):
        assert value.utcoffset() == timedelta(0), "a timestamp read back in UTC"
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def read_sqlite(path: Path, resource: str) -> list[Record]:
    kinds = {column.name: column.kind for column in columns_of(resource)}
    with contextlib.closing(sqlite3.connect(path)) as db:
        cursor = db.execute(f"SELECT * FROM {resource}")
        names = [description[0] for description in cursor.description]
        assert names == list(kinds), f"{resource}: columns"
        return [
            {name: _from_cell(kinds[name], value) for name, value in zip(names, row, strict=True)}
            for row in cursor
        ]


def read_parquet(path: Path, resource: str) -> list[Record]:
    import pyarrow.parquet as pq

    kinds = {column.name: column.kind for column in columns_of(resource)}
    rows = pq.read_table(path).to_pylist()
    return [{name: _from_cell(kinds[name], row[name]) for name in kinds} for row in rows]


def read_records(out_dir: Path, resource: str, fmt: str = "jsonl") -> list[Record]:
    """A resource's exported records as JSON values, whatever the format."""
    if fmt == "sqlite":
        return read_sqlite(out_dir / "export.sqlite", resource)
    if fmt == "parquet":
        return read_parquet(out_dir / f"{resource}.parquet", resource)
    if fmt == "csv":
        kinds = {column.name: column.kind for column in columns_of(resource)}
        return [
            {
                name: None
                if cell == ""
                else cell
                if kinds[name] in ("text", "timestamp")
                else json.loads(cell)
                for name, cell in row.items()
            }
            for row in read_csv(out_dir / f"{resource}.csv")
        ]
    return read_jsonl(out_dir / f"{resource}.jsonl")


def assert_exported_once(
    out_dir: Path,
    snapshot: Mapping[str, list[Record]],
    resources: Iterable[str] = RESOURCES,
    *,
    ignore_origin: bool = False,
    fmt: str = "jsonl",
) -> None:
    """Every record of the snapshot, exactly once, exactly as the API serves it."""
    for resource in resources:
        exported = read_records(out_dir, resource, fmt)
        expected = snapshot[resource]
        sids = [record["sid"] for record in exported]
        assert len(sids) == len(set(sids)), f"{resource}: duplicate records"
        if ignore_origin:
            exported = [without_origin(record) for record in exported]
            expected = [without_origin(record) for record in expected]
        assert by_sid(exported) == by_sid(expected), f"{resource}: records differ"


def file_names(out_dir: Path) -> list[str]:
    return sorted(path.name for path in out_dir.iterdir())


def data_files(out_dir: Path) -> list[str]:
    """The files of a complete export but its manifest."""
    names = file_names(out_dir)
    assert MANIFEST in names, "a complete export has its manifest"
    return [name for name in names if name != MANIFEST]


def file_contents(out_dir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in out_dir.iterdir()}


def leftovers(out_dir: Path) -> list[str]:
    """What an unfinished export leaves behind."""
    return sorted(p.name for p in out_dir.iterdir() if p.suffix == ".part" or "journal" in p.name)


class PageCounter(Progress):
    """Quiet progress that fires ``reached`` once ``pages`` pages were committed."""

    def __init__(self, pages: int) -> None:
        super().__init__(io.StringIO(), "quiet")
        self._left = pages
        self.reached = asyncio.Event()

    def add(self, resource: str, records: int) -> None:
        super().add(resource, records)
        self._left -= 1
        if self._left <= 0:
            self.reached.set()


async def interrupt_export(client: Client, out_dir: Path, pages: int, **options: Any) -> None:
    """Cancel an export once ``pages`` pages were committed, as Ctrl-C would."""
    counter = PageCounter(pages)
    export = asyncio.create_task(run_export(client, out_dir, progress=counter, **options))
    reached = asyncio.create_task(counter.reached.wait())
    await asyncio.wait([export, reached], return_when=asyncio.FIRST_COMPLETED)
    reached.cancel()
    assert not export.done(), "the export finished before it could be interrupted"
    export.cancel()
    with pytest.raises(asyncio.CancelledError):
        await export


# Pages of 2: a Service's numbers and Sessions, and the Services, span several pages.
SHIFTED_PAGE_SIZE = 2
# The last segment of a listing's path, and its API version, name the exported resource.
RESOURCE_OF = {
    (table.api.version, table.path.rsplit("/", 1)[1]): table.name
    for table in COLLECTIONS
    if table.name in RESOURCES
}


class Shifting:
    """What a listing looks like while records are added at its head between requests:
    every page after the first starts with the last record of the page before it.

    ``last`` outlives one client, so a resumed export sees the same shifted pages."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, int], object] = {}
        # The pages that repeat a record, per resource: what the manifest must count.
        self.repeating: dict[str, set[tuple[str, int]]] = {}

    def transport(self) -> AiohttpTransport:
        return _ShiftingTransport(self)

    def shift(self, url: str, response: RawResponse) -> RawResponse:
        body = json.loads(response.body) if response.status == 200 else None
        meta = body.get("meta") if isinstance(body, dict) else None
        if not isinstance(meta, dict) or not isinstance(body, dict):
            return response
        path, page, records = urlsplit(url).path, meta["page"], body[meta["key"]]
        earlier = self.last.get((path, page - 1))
        if records:
            self.last[(path, page)] = records[-1]
        if earlier is None:
            return response
        body[meta["key"]] = [earlier, *records]
        version, *_, name = path.strip("/").split("/")
        self.repeating.setdefault(RESOURCE_OF[(version, name)], set()).add((path, page))
        return RawResponse(response.status, response.headers, json.dumps(body).encode())

    def counts(self) -> dict[str, int]:
        return {name: len(self.repeating.get(name, ())) for name in RESOURCES}


class _ShiftingTransport(AiohttpTransport):
    def __init__(self, shifting: Shifting) -> None:
        super().__init__()
        self._shifting = shifting

    async def send(self, method: str, url: str, *exchange: Any, **limits: Any) -> RawResponse:
        response = await super().send(method, url, *exchange, **limits)
        return self._shifting.shift(url, response) if method == "GET" else response


def shifted_client(emu: Emulator, shifting: Shifting) -> Client:
    return client_for(emu, transport=shifting.transport())


def manifest_repeats(out_dir: Path) -> dict[str, int]:
    manifest = json.loads((out_dir / MANIFEST).read_text())
    return {name: entry["repeated"] for name, entry in manifest["resources"].items()}
