"""Progress on a stream: one rewritten line on a terminal, periodic lines elsewhere.

The stream, the clock and the terminal's width are injected, so what is printed, and when,
is tested without a terminal or real time passing. On a terminal the line is shortened
to fit its width, asked again at every redraw (it may be resized): a line that wrapped
would leave a fragment behind on every redraw.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal, TextIO

import attrs

__all__ = ["ExportSummary", "Progress", "ProgressMode"]

ProgressMode = Literal["tty", "lines", "quiet"]

# A terminal line is cheap to redraw; a log line every two seconds is enough to show life.
_INTERVALS: Mapping[ProgressMode, float] = {"tty": 0.1, "lines": 2.0, "quiet": 0.0}


@attrs.frozen(kw_only=True)
class ExportSummary:
    """What an export produced: records per resource (all runs), and this run's share."""

    out_dir: Path
    files: Mapping[str, Path]
    counts: Mapping[str, int]
    carried_over: int
    elapsed: float
    # Records Twilio listed again (data shifting between pages), kept once, per resource.
    repeated: Mapping[str, int] = attrs.field(factory=dict)
    # The most child listings that waited at once (bounded by the runner's backlog).
    peak_waiting: int = 0
    # ``resume`` found the export complete and changed nothing.
    already_complete: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def exported_now(self) -> int:
        return self.total - self.carried_over

    @property
    def records_per_second(self) -> float:
        return self.exported_now / self.elapsed if self.elapsed > 0 else 0.0


def _rate(records: int, elapsed: float) -> float:
    return records / elapsed if elapsed > 0 else 0.0


def _compact(number: float) -> str:
    if number < 1000:
        return f"{number:.0f}"
    if number < 999_950:
        return f"{number / 1000:.1f}k"
    return f"{number / 1_000_000:.1f}M"


def terminal_width(stream: TextIO) -> Callable[[], int]:
    """The width of the terminal ``stream`` writes to, read afresh at each call."""

    def width() -> int:
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            return shutil.get_terminal_size().columns

    return width


class Progress:
    """Counts records per resource and reports them on ``stream``."""

    def __init__(
        self,
        stream: TextIO,
        mode: ProgressMode,
        *,
        clock: Callable[[], float] = time.monotonic,
        width: Callable[[], int] | None = None,
    ) -> None:
        self._stream = stream
        self._width = width or terminal_width(stream)
        self.mode = mode
        self._clock = clock
        self._interval = _INTERVALS[mode]
        self.counts: dict[str, int] = {}
        self.repeated: dict[str, int] = {}
        self.carried_over = 0
        self._started = clock()
        self._last_render = self._started
        self._line_open = False

    @classmethod
    def for_stream(
        cls,
        stream: TextIO,
        *,
        quiet: bool = False,
        clock: Callable[[], float] = time.monotonic,
        width: Callable[[], int] | None = None,
    ) -> Progress:
        """Quiet when asked; a rewritten line on a terminal; plain lines otherwise."""
        if quiet:
            return cls(stream, "quiet", clock=clock, width=width)
        mode: ProgressMode = "tty" if stream.isatty() else "lines"
        return cls(stream, mode, clock=clock, width=width)

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    def begin(
        self,
        resources: Iterable[str],
        carried_over: Mapping[str, int],
        repeated: Mapping[str, int] | None = None,
    ) -> None:
        """Start the clock; ``carried_over`` counts what an interrupted run already wrote,
        ``repeated`` the records it found listed twice."""
        self.counts = {name: carried_over.get(name, 0) for name in resources}
        self.repeated = {name: (repeated or {}).get(name, 0) for name in resources}
        self.carried_over = sum(self.counts.values())
        self._started = self._last_render = self._clock()

    def add(self, resource: str, records: int) -> None:
        self.counts[resource] += records

    def repeat(self, resource: str, records: int) -> None:
        """``records`` of ``resource`` were listed again: kept once, counted here."""
        self.repeated[resource] += records

    def tick(self) -> None:
        """Report if the interval has passed since the last report."""
        now = self._clock()
        if self.mode == "quiet" or now - self._last_render < self._interval:
            return
        self._last_render = now
        if self.mode == "tty":
            # One column short of the width: a line filling the last column leaves the
            # cursor waiting to wrap, and some terminals then wrap on the next character.
            line = self.status_line(max(self._width() - 1, 1))
            # \x1b[K clears what a longer previous line left to the right.
            self._stream.write(f"\r{line}\x1b[K")
            self._line_open = True
        else:
            self._stream.write(f"{self.status_line()}\n")
        self._stream.flush()

    def status_line(self, width: int | None = None) -> str:
        """The progress in full, or the most of it that fits ``width`` columns."""
        elapsed = self.elapsed
        total = sum(self.counts.values())
        rate = _rate(total - self.carried_over, elapsed)
        parts = "  ".join(f"{name} {count:,}" for name, count in self.counts.items())
        full = f"{parts}  | total {total:,}  {rate:,.0f} records/s  {elapsed:.1f}s"
        if width is None or len(full) <= width:
            return full
        short = " ".join(f"{name[:4]} {_compact(count)}" for name, count in self.counts.items())
        candidates = (
            f"{short} | {_compact(total)} {_compact(rate)}/s {elapsed:.0f}s",
            f"total {total:,}  {rate:,.0f} records/s  {elapsed:.0f}s",
            f"{_compact(total)} {_compact(rate)}/s {elapsed:.0f}s",
        )
        for line in candidates:
            if len(line) <= width:
                return line
        return candidates[-1][:width]

    def note(self, message: str) -> None:
        """A message of its own, unless quiet; it never lands inside the progress line."""
        if self.mode == "quiet":
            return
        self._end_line()
        self._stream.write(f"{message}\n")
        self._stream.flush()

    def _end_line(self) -> None:
        if self._line_open:
            self._stream.write("\n")
            self._line_open = False

    def summary(self, summary: ExportSummary) -> None:
        if self.mode == "quiet":
            return
        self._end_line()
        lines = [
            f"exported {summary.total:,} records in {summary.elapsed:.1f}s "
            f"({summary.records_per_second:,.0f} records/s) to {summary.out_dir}"
        ]
        if summary.carried_over:
            lines[0] += f", {summary.carried_over:,} of them by the interrupted run"
        width = max((len(name) for name in summary.counts), default=0)
        for name, count in summary.counts.items():
            line = f"  {name:<{width}}  {count:>10,}  {summary.files[name].name}"
            if summary.repeated.get(name):
                line += f"  ({summary.repeated[name]:,} listed twice by Twilio, kept once)"
            lines.append(line)
        self._stream.write("\n".join(lines) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """End an open terminal line, e.g. when the export stops on an error."""
        self._end_line()
        self._stream.flush()
