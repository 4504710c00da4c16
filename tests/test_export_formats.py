"""The typed formats: SQLite's tables and Parquet's schema hold what the API served, with
the types a data engineer loads them as (phone numbers as text, UTC instants, integers)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest
from emulator_support import client_for
from export_support import PAGE_SIZE, SMALL, assert_exported_once, data_files

from twilio_proxy_async._export import RESOURCES, run_export
from twilio_proxy_async._export._schema import columns_of
from twilio_proxy_async.testing import Emulator

pytestmark = pytest.mark.twilio_emulator(demo=SMALL)


async def test_sqlite_has_one_typed_table_per_resource(emu: Emulator, tmp_path: Path) -> None:
    async with client_for(emu) as client:
        summary = await run_export(client, tmp_path, fmt="sqlite", page_size=PAGE_SIZE)
    assert data_files(tmp_path) == ["export.sqlite"]
    assert set(summary.files.values()) == {tmp_path / "export.sqlite"}
    assert_exported_once(tmp_path, emu.snapshot(), fmt="sqlite")
    with contextlib.closing(sqlite3.connect(tmp_path / "export.sqlite")) as db:
        # A single self-contained file: not left in WAL mode.
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert tables == {*RESOURCES, "_export_journal"}
        declared = {
            (row[1], row[2], row[5]) for row in db.execute("PRAGMA table_info(phone_numbers)")
        }
        assert {("sid", "TEXT", 1), ("phone_number", "TEXT", 0), ("in_use", "INTEGER", 0)} <= (
            declared
        )
        types = db.execute(
            "SELECT typeof(phone_number), phone_number, typeof(in_use), typeof(is_reserved),"
            " typeof(date_created), date_created, typeof(capabilities) FROM phone_numbers"
        ).fetchone()
        assert types[0] == "text" and types[1].startswith("+")
        assert types[2:5] == ("integer", "integer", "text")
        assert types[5].endswith("Z") and types[6] == "text"
        assert db.execute("SELECT typeof(ttl) FROM sessions LIMIT 1").fetchone() == ("integer",)
        indexed = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
        assert indexed >= {
            "sessions_service_sid",
            "participants_session_sid",
            "interactions_session_sid",
            "phone_numbers_service_sid",
        }
        # Every page's journal entry sits in the same database as its rows.
        (entries,) = db.execute("SELECT count(*) FROM _export_journal").fetchone()
        assert entries > len(RESOURCES)
        links = db.execute("SELECT links FROM sessions LIMIT 1").fetchone()[0]
        assert json.loads(links)["participants"].endswith("/Participants")


async def test_sqlite_refuses_a_record_twice(emu: Emulator, tmp_path: Path) -> None:
    from twilio_proxy_async._export._journal import JournalHeader
    from twilio_proxy_async._export._sqlite import SqliteStore
    from twilio_proxy_async._export._stores import PageCommit
    from twilio_proxy_async.models.service import Service

    header = JournalHeader(fmt="sqlite", resources=("services",), source={})
    store = SqliteStore.create(tmp_path, header)
    service = Service(sid="KS" + "a" * 32)
    page = PageCommit("services", "services", (), [service], None, 1, [], True)
    store.commit(page)
    with pytest.raises(sqlite3.IntegrityError):
        store.commit(page)
    store.close()
    _, replay = SqliteStore.reopen(tmp_path)
    # The refused page left neither its row nor its journal entry.
    assert replay.pages == 1 and replay.records(["services"]) == 1


async def test_parquet_has_an_explicit_schema(emu: Emulator, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    async with client_for(emu) as client:
        await run_export(client, tmp_path, fmt="parquet", page_size=PAGE_SIZE)
    assert data_files(tmp_path) == sorted(f"{name}.parquet" for name in RESOURCES)
    assert_exported_once(tmp_path, emu.snapshot(), fmt="parquet")
    schema = pq.read_schema(tmp_path / "phone_numbers.parquet")
    assert schema.field("phone_number").type == pa.string()
    assert schema.field("in_use").type == pa.int64()
    assert schema.field("is_reserved").type == pa.bool_()
    assert schema.field("date_created").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("capabilities").type == pa.string()
    sessions = pq.read_schema(tmp_path / "sessions.parquet")
    # All-null in the demo, still typed: an empty column is never a float.
    assert sessions.field("date_ended").type == pa.timestamp("ms", tz="UTC")
    assert sessions.field("ttl").type == pa.int64()
    assert [field.name for field in sessions] == [c.name for c in columns_of("sessions")]


def test_parquet_without_pyarrow_is_refused_before_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    from twilio_proxy_async._export import ExportError, PreparedExport

    real = importlib.import_module

    def no_pyarrow(name: str, package: str | None = None) -> object:
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_pyarrow)
    with pytest.raises(ExportError, match=r"pip install 'twilio-proxy-async\[parquet\]'"):
        PreparedExport(tmp_path / "out", fmt="parquet")
    assert not (tmp_path / "out").exists()
