"""What a scenario measured, what it is compared against, and the table that shows both."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Check", "Measurement", "Sample", "ScenarioResult", "render"]


@dataclass(frozen=True)
class Sample:
    """One timed run: how long it took and how many items it handled."""

    seconds: float
    count: int
    # CPU seconds the run cost this process and the emulator's, where measured.
    client_cpu: float | None = None
    server_cpu: float | None = None

    @property
    def rate(self) -> float:
        return self.count / self.seconds


@dataclass(frozen=True)
class Measurement:
    """The median of interleaved runs of one implementation in one scenario."""

    implementation: str
    unit: str
    samples: tuple[float, ...]
    count: int

    @property
    def value(self) -> float:
        return statistics.median(self.samples)


@dataclass(frozen=True)
class Check:
    """A ratio (or value) set against its target; ``target=None`` is shown for context only."""

    description: str
    measured: float
    comparison: Literal[">=", "<="] = ">="
    target: float | None = None
    unit: str = "x"

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        if self.comparison == ">=":
            return self.measured >= self.target
        return self.measured <= self.target


@dataclass(frozen=True)
class ScenarioResult:
    title: str
    measurements: tuple[Measurement, ...]
    checks: tuple[Check, ...]
    notes: tuple[str, ...] = field(default=())

    def measurement(self, implementation: str) -> Measurement:
        for found in self.measurements:
            if found.implementation == implementation:
                return found
        raise KeyError(implementation)


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def _spread(samples: Sequence[float]) -> str:
    if len(samples) < 2:
        return ""
    return f"{_number(min(samples))} .. {_number(max(samples))}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]


def render(results: Sequence[ScenarioResult]) -> str:
    """Two markdown tables: every measurement, then every target with pass or miss."""
    measured = [
        [
            result.title,
            m.implementation,
            _number(m.value),
            m.unit,
            _spread(m.samples),
            str(len(m.samples)),
        ]
        for result in results
        for m in result.measurements
    ]
    checks = []
    for result in results:
        for check in result.checks:
            verdict = {True: "PASS", False: "MISS", None: "(info)"}[check.passed]
            target = "" if check.target is None else f"{check.comparison} {check.target:g}"
            checks.append(
                [
                    result.title,
                    check.description,
                    f"{_number(check.measured)}{check.unit}",
                    f"{target}{check.unit if target else ''}",
                    verdict,
                ]
            )
    lines = _table(["scenario", "implementation", "median", "unit", "min .. max", "runs"], measured)
    lines.append("")
    lines += _table(["scenario", "check", "measured", "target", "result"], checks)
    notes = [f"- {result.title}: {note}" for result in results for note in result.notes]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)
