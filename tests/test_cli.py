"""The console script: ``export`` in-process (in a thread, it runs its own loop) and
``emulator`` as a real subprocess stopped by a signal."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import re
import signal
from pathlib import Path

import pytest
from cli_support import TIMEOUT, finish, read_assignments, start_cli
from export_support import (
    SMALL,
    assert_exported_once,
    data_files,
    file_contents,
    leftovers,
    read_jsonl,
)

from twilio_proxy_async import Client
from twilio_proxy_async._cli import main
from twilio_proxy_async._export import RESOURCES
from twilio_proxy_async.testing import DemoData, Emulator, Faults

TOKEN = "cli-test-token-0f9e8d7c6b5a"
SMALL_DEMO = DemoData(services=2, phone_numbers_per_service=3, sessions_per_service=50)


@pytest.fixture(autouse=True)
def no_twilio_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("TWILIO_"):
            monkeypatch.delenv(name)


pytestmark = pytest.mark.twilio_emulator(demo=SMALL, auth_token=TOKEN, record_requests=True)


async def run_cli(*argv: str) -> int:
    """``main(argv)`` as the console script runs it: with its own event loop."""
    return await asyncio.to_thread(main, list(argv))


def account_args(emu: Emulator, token: str = TOKEN) -> list[str]:
    return ["--base-url", emu.url, "--account-sid", emu.account_sid, "--auth-token", token]


async def demo_snapshot(demo: DemoData) -> dict[str, list[dict[str, object]]]:
    async with Emulator(demo=demo) as emulator:
        return emulator.snapshot()


async def test_export_demo_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "export-out"
    assert await run_cli("export", "--demo", "--demo-size", "small", "--out", str(out)) == 0
    assert data_files(out) == sorted(f"{name}.jsonl" for name in RESOURCES)
    assert_exported_once(out, await demo_snapshot(SMALL_DEMO), ignore_origin=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "demo data" in captured.err and "embedded emulator" in captured.err
    total = sum(len(records) for records in (await demo_snapshot(SMALL_DEMO)).values())
    assert f"exported {total} records" in captured.err


async def test_no_credentials_at_all_means_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert await run_cli("export", "--demo-size", "services=1,sessions=5", "--out", str(out)) == 0
    assert len(read_jsonl(out / "sessions.jsonl")) == 5
    assert "demo data" in capsys.readouterr().err


async def test_export_with_credentials_csv_and_a_subset(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["export", *account_args(emu), "--out", str(tmp_path), "--format", "csv"]
    assert await run_cli(*argv, "--resources", "services,sessions", "--page-size", "7") == 0
    assert data_files(tmp_path) == ["services.csv", "sessions.csv"]
    rows = (tmp_path / "sessions.csv").read_text().splitlines()
    assert len(rows) == 1 + len(emu.snapshot()["sessions"])
    assert all(dict(r.query).get("PageSize") == "7" for r in emu.requests)
    assert "demo" not in capsys.readouterr().err


async def test_quiet_prints_nothing(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_cli("export", *account_args(emu), "--out", str(tmp_path), "--quiet") == 0
    assert capsys.readouterr() == ("", "")
    assert_exported_once(tmp_path, emu.snapshot())


async def test_credentials_never_appear_in_any_output(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_cli("export", *account_args(emu), "--out", str(tmp_path / "ok")) == 0
    wrong = "wrong-token-7a6b5c4d3e2f"
    assert await run_cli("export", *account_args(emu, wrong), "--out", str(tmp_path / "no")) == 1
    captured = capsys.readouterr()
    # The refused token saved nothing, so the directory it was to write is not even made.
    assert not (tmp_path / "no").exists()
    written = b"".join(file_contents(tmp_path / "ok").values())
    for secret in (TOKEN, wrong):
        assert secret not in captured.out and secret not in captured.err
        assert secret.encode() not in written
    assert "AuthenticationError" in captured.err


def test_help_never_shows_credentials_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_API_SECRET", TOKEN)
    for argv in (["--help"], ["export", "--help"], ["emulator", "--help"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 0
    captured = capsys.readouterr()
    assert "--resume" in captured.out and TOKEN not in captured.out + captured.err


async def test_a_failed_export_says_rerun_with_resume_and_resume_completes(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_listing = f"/v1/Services/{emu.snapshot()['services'][1]['sid']}/Sessions"
    # A cut JSON body is not retried: the export fails at once, part-way.
    emu.faults = Faults(rate_truncated_json=1.0, path_prefix=session_listing)
    argv = ["export", *account_args(emu), "--out", str(tmp_path), "--page-size", "5"]
    assert await run_cli(*argv) == 1
    error_lines = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(error_lines) == 1
    assert error_lines[0].startswith("error: export failed: ResponseValidationError")
    assert error_lines[0].endswith("rerun with --resume to continue")
    assert "export-journal.jsonl" in leftovers(tmp_path)

    assert await run_cli(*argv) == 1
    assert "rerun with --resume" in capsys.readouterr().err

    emu.faults = Faults()
    assert await run_cli(*argv, "--resume") == 0
    assert "of them by the interrupted run" in capsys.readouterr().err
    assert_exported_once(tmp_path, emu.snapshot())


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["export", "--demo-size", "huge"],
        ["export", "--resources", "calls"],
        ["export", "--format", "xml"],
        ["export", "--page-size", "0"],
        ["emulator", "--rate-500", "2"],
        [],
    ):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2, argv
    capsys.readouterr()


def test_the_console_script_is_main() -> None:
    (entry,) = importlib.metadata.entry_points(group="console_scripts", name="twilio-proxy-async")
    assert entry.load() is main


def test_the_emulator_refuses_a_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--host", "0.0.0.0", "--port", "0"]) == 1
    assert "binds loopback addresses only" in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_the_emulator_serves_until_a_signal(signum: int) -> None:
    process = await start_cli("emulator", "--port", "0", "--demo-services", "2", "--seed", "3")
    try:
        env = await read_assignments(process)
        assert list(env) == [
            "TWILIO_BASE_URL",
            "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN",
            "TWILIO_API_KEY",
            "TWILIO_API_SECRET",
        ]
        assert env["TWILIO_BASE_URL"].startswith("http://127.0.0.1:")
        assert not env["TWILIO_BASE_URL"].endswith(":0")
        client = Client(
            env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"], base_url=env["TWILIO_BASE_URL"]
        )
        async with client:
            services = [service.sid async for service in client.proxy.services.list()]
        assert len(services) == 2
        keyed = Client(
            env["TWILIO_ACCOUNT_SID"],
            api_key=env["TWILIO_API_KEY"],
            api_secret=env["TWILIO_API_SECRET"],
            base_url=env["TWILIO_BASE_URL"],
        )
        async with keyed:
            assert (await keyed.proxy.services.fetch(services[0])).sid == services[0]
    finally:
        code, _, err = await finish(process, signum)
    assert code == 0, err
    assert err == ""


async def test_the_emulator_takes_the_credentials_it_is_given() -> None:
    account = "AC" + "ab" * 16
    process = await start_cli(
        "emulator", "--port", "0", "--account-sid", account, "--auth-token", TOKEN
    )
    try:
        env = await read_assignments(process)
    finally:
        code, _, _ = await finish(process, signal.SIGINT)
    assert (env["TWILIO_ACCOUNT_SID"], env["TWILIO_AUTH_TOKEN"], code) == (account, TOKEN, 0)


def size_of(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


async def wait_for_line(process: asyncio.subprocess.Process, text: str) -> str:
    assert process.stderr is not None
    async with asyncio.timeout(TIMEOUT):
        while text not in (line := (await process.stderr.readline()).decode()):
            assert line, f"the export exited before printing {text!r}"
    return line


async def test_ctrl_c_exits_130_and_resume_completes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    size = "services=2,sessions=1500"
    process = await start_cli("export", "--demo", "--demo-size", size, "--out", str(out))
    try:
        await wait_for_line(process, "demo data")
        journal = out / "export-journal.jsonl"
        # Part-way: some pages are journaled, most are still to come.
        for _ in range(int(TIMEOUT / 0.02)):
            if size_of(journal) > 20_000:
                break
            await asyncio.sleep(0.02)
    finally:
        code, _, err = await finish(process, signal.SIGINT)
    assert code == 130, err
    last = err.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"error: interrupted: [\d,]+ pages \([\d,]+ records\) are saved in {re.escape(str(out))};"
        r" rerun with --resume to continue",
        last,
    ), last
    lines = journal.read_bytes().splitlines()
    assert all(json.loads(line) for line in lines)

    assert await run_cli("export", "--demo", "--resume", "--out", str(out)) == 0
    assert "of them by the interrupted run" in capsys.readouterr().err
    demo = DemoData(services=2, phone_numbers_per_service=10, sessions_per_service=1500)
    assert_exported_once(out, await demo_snapshot(demo), ignore_origin=True)


async def test_each_early_failure_leaves_a_directory_a_plain_run_accepts(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "a-file").write_text("keep")
    closed_port = "http://127.0.0.1:9"  # discard: nothing listens there
    failures = [
        (["--page-size", "5000", *account_args(emu)], "--page-size must be within 1..1000"),
        (["--page-size", "5000", "--demo"], "--page-size must be within 1..1000"),
        ([*account_args(emu, "wrong-token-7a6b5c4d3e2f")], "AuthenticationError"),
        (
            ["--base-url", closed_port, "--account-sid", emu.account_sid, "--auth-token", TOKEN],
            "TwilioConnectionError",
        ),
    ]
    for extra, message in failures:
        assert await run_cli("export", "--out", str(out), *extra) == 1
        err = capsys.readouterr().err
        assert message in err, err
        assert "--resume" not in err and "demo data" not in err, err
        assert os.listdir(out) == []
    assert await run_cli("export", "--out", str(tmp_path / "a-file"), "--demo") == 1
    assert "is not a directory" in capsys.readouterr().err
    assert (tmp_path / "a-file").read_text() == "keep"
    assert await run_cli("export", "--out", str(out), *account_args(emu)) == 0
    assert_exported_once(out, emu.snapshot())


async def test_resume_after_complete_says_so_and_a_plain_run_is_refused(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["export", *account_args(emu), "--out", str(tmp_path)]
    assert await run_cli(*argv, "--format", "csv") == 0
    before = file_contents(tmp_path)
    capsys.readouterr()
    assert await run_cli(*argv, "--resume") == 0
    total = sum(len(records) for records in emu.snapshot().values())
    assert capsys.readouterr().err == (
        f"the export in {tmp_path} is complete ({total} records): nothing to do\n"
    )
    assert await run_cli(*argv) == 1
    err = capsys.readouterr().err
    assert "holds a complete csv export" in err and "--overwrite" in err
    assert file_contents(tmp_path) == before
    assert await run_cli(*argv, "--overwrite", "--quiet") == 0
    assert data_files(tmp_path) == sorted(f"{name}.jsonl" for name in RESOURCES)


async def test_interrupted_while_publishing_resume_finishes_it(
    emu: Emulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from twilio_proxy_async._export import _stores

    publish = _stores.FileStore.publish
    renamed: list[str] = []

    def interrupted(self: _stores.FileStore) -> None:
        # Ctrl-C between two renames: some files are published, the rest are not.
        real_replace = os.replace

        def replace_once(source: Path, target: Path) -> None:
            if renamed:
                raise KeyboardInterrupt
            renamed.append(Path(target).name)
            real_replace(source, target)

        monkeypatch.setattr(_stores.os, "replace", replace_once)
        try:
            publish(self)
        finally:
            monkeypatch.setattr(_stores.os, "replace", real_replace)

    monkeypatch.setattr(_stores.FileStore, "publish", interrupted)
    argv = ["export", *account_args(emu), "--out", str(tmp_path)]
    assert await run_cli(*argv) == 130
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: interrupted: every record is saved in {tmp_path}; rerun with --resume to "
        "finish publishing the files (nothing is exported again)"
    )
    assert len(renamed) == 1
    monkeypatch.setattr(_stores.FileStore, "publish", publish)
    seen = len(emu.requests)
    assert await run_cli(*argv, "--resume") == 0
    assert len(emu.requests) == seen
    assert_exported_once(tmp_path, emu.snapshot())


@pytest.mark.parametrize("made", [False, True], ids=["missing", "empty"])
async def test_resume_on_an_empty_or_missing_out_starts_a_fresh_export(
    emu: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str], made: bool
) -> None:
    # "Resume until done" from a cron job: the first run has nothing to resume.
    out = tmp_path / "parent" / "out"
    if made:
        out.mkdir(parents=True)
    assert await run_cli("export", *account_args(emu), "--resume", "--out", str(out)) == 0
    assert_exported_once(out, emu.snapshot())
    assert "of them by the interrupted run" not in capsys.readouterr().err
    # The same run again confirms it and changes nothing.
    before = file_contents(out)
    assert await run_cli("export", *account_args(emu), "--resume", "--out", str(out)) == 0
    assert "nothing to do" in capsys.readouterr().err
    assert file_contents(out) == before


def test_help_says_what_resume_does_with_an_empty_out(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "an empty or missing --out starts a fresh export" in help_text
