"""Progress output with an injected stream and clock: no terminal, no real time."""

from __future__ import annotations

import io
from pathlib import Path

from emulator_support import client_for
from export_support import SMALL

from twilio_proxy_async._export import ExportSummary, Progress, run_export
from twilio_proxy_async.testing import Emulator


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def summary(counts: dict[str, int], *, carried_over: int = 0, elapsed: float) -> ExportSummary:
    return ExportSummary(
        out_dir=Path("out"),
        files={name: Path("out") / f"{name}.jsonl" for name in counts},
        counts=counts,
        carried_over=carried_over,
        elapsed=elapsed,
    )


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress.for_stream(stream, clock=clock)
    assert progress.mode == "tty"
    progress.begin(["services", "sessions"], {})
    for _ in range(3):
        progress.add("sessions", 500)
        clock.now += 1.0
        progress.tick()
    text = stream.getvalue()
    assert text.count("\r") == 3 and "\n" not in text
    last = text.rsplit("\r", 1)[1]
    assert "services 0" in last and "sessions 1,500" in last
    assert "total 1,500" in last and "500 records/s" in last and "3.0s" in last
    progress.note("a message")
    assert stream.getvalue().endswith("\x1b[K\na message\n")


def test_a_terminal_is_redrawn_at_most_ten_times_a_second() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress.for_stream(stream, clock=clock)
    progress.begin(["services"], {})
    for _ in range(40):
        clock.now += 0.025
        progress.add("services", 1)
        progress.tick()
    assert 9 <= stream.getvalue().count("\r") <= 10


def test_a_pipe_gets_a_plain_line_every_two_seconds() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress.for_stream(stream, clock=clock)
    assert progress.mode == "lines"
    progress.begin(["participants"], {})
    for _ in range(10):
        clock.now += 0.5
        progress.add("participants", 100)
        progress.tick()
    lines = stream.getvalue().splitlines(keepends=True)
    assert "\r" not in stream.getvalue()
    assert len(lines) == 2 and all(line.endswith("\n") for line in lines)
    assert lines[0].startswith("participants 400  | total 400  200 records/s  2.0s")
    assert lines[1].startswith("participants 800  | total 800  200 records/s  4.0s")


def test_quiet_prints_nothing_at_all() -> None:
    stream, clock = Terminal(), Clock()
    progress = Progress.for_stream(stream, quiet=True, clock=clock)
    progress.begin(["services"], {})
    progress.add("services", 3)
    clock.now += 10
    progress.tick()
    progress.note("demo")
    progress.summary(summary({"services": 3}, elapsed=10))
    progress.close()
    assert stream.getvalue() == ""


def test_the_summary_counts_rate_and_carried_over_records() -> None:
    stream = io.StringIO()
    progress = Progress(stream, "lines", clock=Clock())
    result = summary({"services": 5, "sessions": 995}, carried_over=200, elapsed=4.0)
    assert result.total == 1000 and result.exported_now == 800
    assert result.records_per_second == 200.0
    progress.summary(result)
    lines = stream.getvalue().splitlines()
    assert lines[0] == (
        "exported 1,000 records in 4.0s (200 records/s) to out, 200 of them by the interrupted run"
    )
    assert lines[1].split() == ["services", "5", "services.jsonl"]
    assert lines[2].split() == ["sessions", "995", "sessions.jsonl"]


def test_rates_start_from_the_resumed_counts() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, "lines", clock=clock)
    progress.begin(["sessions"], {"sessions": 1000, "services": 7})
    progress.add("sessions", 50)
    clock.now += 2.0
    progress.tick()
    assert stream.getvalue().startswith("sessions 1,050  | total 1,050  25 records/s  2.0s")


async def test_an_export_reports_its_counts_and_elapsed_time(tmp_path: Path) -> None:
    stream, clock = Terminal(), Clock()
    async with Emulator(demo=SMALL) as emu:
        async with client_for(emu) as client:
            progress = Progress.for_stream(stream, clock=clock)
            clock.now += 1
            result = await run_export(client, tmp_path, progress=progress)
        expected = {name: len(records) for name, records in emu.snapshot().items()}
    assert dict(result.counts) == expected
    assert result.elapsed == 0.0
    out = stream.getvalue()
    assert out.startswith(f"exported {sum(expected.values())} records in 0.0s")
    for name, count in expected.items():
        assert f"{name} " in out and f" {count} " in out


def test_a_narrow_terminal_gets_a_line_that_fits() -> None:
    stream, clock = Terminal(), Clock()
    widths = iter([200, 80, 40, 12])
    progress = Progress.for_stream(stream, clock=clock, width=lambda: next(widths))
    names = ["services", "phone_numbers", "sessions", "participants", "interactions"]
    progress.begin([*names, "chat_services"], {})
    for name in names:
        progress.add(name, 1_234_567)
    drawn = []
    for _ in range(4):
        clock.now += 1.0
        progress.tick()
        drawn.append(stream.getvalue().rsplit("\r", 1)[1].removesuffix("\x1b[K"))
    assert drawn[0].startswith("services 1,234,567  phone_numbers 1,234,567")
    assert len(drawn[0]) < 200
    # 80 columns: short labels and counts; never the last column (it would wrap).
    assert drawn[1] == ("serv 1.2M phon 1.2M sess 1.2M part 1.2M inte 1.2M chat 0 | 6.2M 3.1M/s 2s")
    # Narrower: the totals alone, then compact totals, then cut at the width.
    assert drawn[2] == "6.2M 2.1M/s 3s"
    assert drawn[3] == "6.2M 1.5M/s"
