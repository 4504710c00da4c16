"""What ``run_export`` promises about the output directory: one export at a time, honest
resumes, no silent replacement, nothing left behind by a run that saved nothing, and
committing a page while the next one is already being fetched."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from emulator_support import client_for
from export_support import (
    FORMATS,
    MANIFEST,
    PAGE_SIZE,
    SMALL,
    assert_exported_once,
    data_files,
    file_contents,
)

from twilio_proxy_async import AuthenticationError, Client, ServerError
from twilio_proxy_async._export import (
    RESOURCES,
    ExportError,
    PreparedExport,
    _stores,
    describe,
    run_export,
)
from twilio_proxy_async._export._directory import inspect
from twilio_proxy_async._export._schema import columns_of
from twilio_proxy_async.testing import DemoData, Emulator, Faults

pytestmark = pytest.mark.twilio_emulator(demo=SMALL, record_requests=True)


async def test_a_second_export_into_a_locked_directory_is_refused_at_once(
    emu: Emulator, tmp_path: Path
) -> None:
    with PreparedExport(tmp_path):
        before = file_contents(tmp_path)
        async with client_for(emu) as client:
            for resume in (False, True):
                with pytest.raises(ExportError, match="another export is writing to it") as err:
                    await run_export(client, tmp_path, resume=resume)
                assert str(tmp_path) in str(err.value)
        assert file_contents(tmp_path) == before
        assert not emu.requests
    # Released with the first: the next export takes the directory.
    async with client_for(emu) as client:
        await run_export(client, tmp_path)
    assert_exported_once(tmp_path, emu.snapshot())


@pytest.mark.parametrize("fmt", FORMATS)
async def test_resume_of_a_complete_export_changes_nothing(
    emu: Emulator, tmp_path: Path, fmt: str
) -> None:
    async with client_for(emu) as client:
        await run_export(client, tmp_path, fmt=fmt, page_size=PAGE_SIZE)
        assert_exported_once(tmp_path, emu.snapshot(), fmt=fmt)
        before = file_contents(tmp_path)
        seen = len(emu.requests)
        summary = await run_export(client, tmp_path, resume=True)
    assert summary.already_complete
    assert summary.total == sum(len(records) for records in emu.snapshot().values())
    assert file_contents(tmp_path) == before
    assert len(emu.requests) == seen


async def test_resume_of_a_complete_export_with_other_options_is_refused(
    emu: Emulator, tmp_path: Path
) -> None:
    # "Complete, nothing to do" (exit 0) would tell a cron job the CSV it asked for exists.
    async with client_for(emu) as client:
        await run_export(client, tmp_path, resources=["services", "sessions"])
        before = file_contents(tmp_path)
        seen = len(emu.requests)
        with pytest.raises(ExportError, match=r"holds a complete jsonl export.*resume it as jsonl"):
            await run_export(client, tmp_path, fmt="csv", resume=True)
        with pytest.raises(ExportError, match=r"complete export of services,sessions.*same --res"):
            await run_export(client, tmp_path, resources=["services"], resume=True)
        same = await run_export(
            client, tmp_path, fmt="jsonl", resources=["sessions", "services"], resume=True
        )
    assert same.already_complete
    assert file_contents(tmp_path) == before
    assert len(emu.requests) == seen


async def test_a_complete_export_is_replaced_only_with_overwrite(
    emu: Emulator, tmp_path: Path
) -> None:
    async with client_for(emu) as client:
        await run_export(client, tmp_path, fmt="csv")
        before = file_contents(tmp_path)
        total = sum(len(records) for records in emu.snapshot().values())
        with pytest.raises(
            ExportError, match=rf"complete csv export \({total} records\).*overwrite"
        ):
            await run_export(client, tmp_path)
        assert file_contents(tmp_path) == before
        await run_export(client, tmp_path, overwrite=True, resources=["services", "sessions"])
    # The JSONL export replaced the CSV one: nothing of the CSV export is left beside it.
    assert data_files(tmp_path) == ["services.jsonl", "sessions.jsonl"]
    assert_exported_once(tmp_path, emu.snapshot(), ["services", "sessions"])


async def test_overwrite_starts_an_unfinished_export_over(emu: Emulator, tmp_path: Path) -> None:
    second = emu.snapshot()["services"][1]["sid"]
    emu.faults = Faults(rate_500=1.0, path_prefix=f"/v1/Services/{second}/Sessions")
    async with client_for(emu, max_retries=0) as client:
        with pytest.raises(ServerError):
            await run_export(client, tmp_path, fmt="sqlite", page_size=PAGE_SIZE)
        assert inspect(tmp_path).state == "unfinished"
        emu.faults = Faults()
        await run_export(client, tmp_path, overwrite=True)
    assert data_files(tmp_path) == sorted(f"{name}.jsonl" for name in RESOURCES)
    assert_exported_once(tmp_path, emu.snapshot())


async def test_bad_options_are_refused_before_anything_is_sent_or_made(
    emu: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    async with client_for(emu) as client:
        for options, message in (
            ({"page_size": 5000}, "page-size"),
            ({"fmt": "xml"}, "xml"),
            ({"resources": ["calls"]}, "calls"),
            ({"resume": True, "overwrite": True}, "choose one"),
            ({"workers": 0}, "workers"),
        ):
            with pytest.raises(ExportError, match=message):
                await run_export(client, out, **options)  # type: ignore[arg-type]
        (tmp_path / "a-file").write_text("keep")
        with pytest.raises(ExportError, match="is not a directory"):
            await run_export(client, tmp_path / "a-file")
    assert not out.exists() and (tmp_path / "a-file").read_text() == "keep"
    assert not emu.requests


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_failure_that_saved_nothing_leaves_the_directory_as_it_was(
    emu: Emulator, tmp_path: Path, fmt: str
) -> None:
    # Every format: SQLite's store creates its database before the first request.
    out = tmp_path / "new" / "out"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    async with wrong_token_client(emu) as client:
        for directory in (out, tmp_path / "mine"):
            with pytest.raises(AuthenticationError) as err:
                await run_export(client, directory, fmt=fmt)
            assert err.value.__notes__ == [f"nothing was saved; {directory} is as it was"]
    assert not (tmp_path / "new").exists()
    assert os.listdir(tmp_path / "mine") == ["notes.txt"]
    async with client_for(emu) as client:
        await run_export(client, out, fmt=fmt)
    assert_exported_once(out, emu.snapshot(), fmt=fmt)


def wrong_token_client(emu: Emulator) -> Client:
    return Client(emu.account_sid, "not-the-token-1a2b3c", base_url=emu.url, max_retries=0)


async def test_a_failure_part_way_says_what_is_saved(emu: Emulator, tmp_path: Path) -> None:
    second = emu.snapshot()["services"][1]["sid"]
    emu.faults = Faults(rate_500=1.0, path_prefix=f"/v1/Services/{second}/Sessions")
    async with client_for(emu, max_retries=0) as client:
        with pytest.raises(ServerError) as err:
            await run_export(client, tmp_path, page_size=PAGE_SIZE)
    found = inspect(tmp_path)
    pages, records = found.saved()
    assert found.state == "unfinished" and pages > 0 and records > 0
    assert err.value.__notes__ == [
        f"{pages:,} pages ({records:,} records) are saved in {tmp_path}; "
        "rerun with --resume to continue"
    ]


@pytest.mark.parametrize("fmt", FORMATS)
async def test_stopped_while_publishing_resume_finishes_without_exporting_again(
    emu: Emulator, tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stopped(self: _stores.FileStore) -> None:
        raise OSError("stopped while publishing")

    from twilio_proxy_async._export import _sqlite

    monkeypatch.setattr(_stores.FileStore, "publish", stopped)
    monkeypatch.setattr(_sqlite.SqliteStore, "publish", stopped)
    async with client_for(emu) as client:
        with pytest.raises(OSError, match="publishing") as err:
            await run_export(client, tmp_path, fmt=fmt, page_size=PAGE_SIZE)
        assert "nothing is exported again" in err.value.__notes__[0]
        assert inspect(tmp_path).state == "publishing"
        assert "finish publishing" in describe(inspect(tmp_path), tmp_path)
        monkeypatch.undo()
        seen = len(emu.requests)
        summary = await run_export(client, tmp_path, resume=True)
    assert len(emu.requests) == seen
    assert summary.total == sum(len(records) for records in emu.snapshot().values())
    assert MANIFEST in os.listdir(tmp_path) and inspect(tmp_path).state == "complete"
    assert_exported_once(tmp_path, emu.snapshot(), fmt=fmt)


async def test_a_page_is_committed_while_the_next_one_is_on_the_wire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One Service with many Sessions, one worker: while page N is being written, the
    server has already received the request for page N+1. Each commit waits (bounded) for
    that request to arrive; if fetching and committing were serialised it never would."""
    demo = DemoData(
        services=1,
        phone_numbers_per_service=0,
        sessions_per_service=40,
        participants_per_session=0,
        interactions_per_session=0,
        chat_services=0,
    )
    arrived_during_commit: list[bool] = []
    real_commit = _stores.FileStore.commit

    async with Emulator(demo=demo, record_requests=True) as emulator:

        def sessions_requests() -> int:
            return sum(1 for r in emulator.requests if r.path.endswith("/Sessions"))

        def commit(self: _stores.FileStore, page: _stores.PageCommit) -> None:
            real_commit(self, page)
            if page.resource != "sessions" or page.cursor is None:
                return
            committed = page.taken // PAGE_SIZE
            arrived = threading.Event()
            for _ in range(200):  # at most 2 s, and only when the overlap is missing
                if sessions_requests() > committed:
                    arrived.set()
                    break
                arrived.wait(0.01)
            arrived_during_commit.append(arrived.is_set())

        monkeypatch.setattr(_stores.FileStore, "commit", commit)
        async with client_for(emulator) as client:
            await run_export(
                client, tmp_path, resources=["sessions"], page_size=PAGE_SIZE, workers=1
            )
        assert_exported_once(tmp_path, emulator.snapshot(), ["sessions"])
    assert arrived_during_commit == [True] * 7


def test_the_readme_column_table_matches_the_models() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("### The exported columns", 1)[1].split("### ", 1)[0]
    kinds = ["integer", "boolean", "timestamp", "json", "text"]
    documented: dict[str, dict[str, set[str]]] = {}
    for row in table.splitlines():
        if not row.startswith("| `"):
            continue
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        documented[cells[0].strip("`")] = {
            kind: {name.strip("` ") for name in cell.split(",") if name.strip()}
            for kind, cell in zip(kinds, cells[1:], strict=True)
        }
    assert set(documented) == set(RESOURCES)
    for resource in RESOURCES:
        actual: dict[str, set[str]] = {kind: set() for kind in kinds}
        for column in columns_of(resource):
            actual[column.kind].add(column.name)
        assert documented[resource] == actual, resource
