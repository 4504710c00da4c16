"""The README's metrics-and-tracing hook runs as written, against the emulator, with fake
``opentelemetry`` and ``prometheus_client`` modules standing in (neither is a dependency)."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

import twilio_proxy_async
from twilio_proxy_async import Client, NotFoundError
from twilio_proxy_async.testing import Emulator

README = Path(__file__).resolve().parents[1] / "README.md"
HEADING = "### Event hooks: metrics and tracing"


class FakeSpan:
    def __init__(self, name: str, start_time: int, attributes: dict[str, Any]) -> None:
        self.name = name
        self.start_time = start_time
        self.attributes = attributes
        self.end_time: int | None = None

    def end(self, end_time: int | None = None) -> None:
        self.end_time = end_time


class FakeTracer:
    def __init__(self) -> None:
        self.spans: list[FakeSpan] = []

    def start_span(self, name: str, *, start_time: int, attributes: dict[str, Any]) -> FakeSpan:
        span = FakeSpan(name, start_time, attributes)
        self.spans.append(span)
        return span


class FakeHistogram:
    def __init__(self, name: str, documentation: str, labelnames: list[str]) -> None:
        self.labelnames = labelnames
        self.observed: list[tuple[tuple[str, ...], float]] = []
        self._labels: tuple[str, ...] = ()

    def labels(self, *values: str) -> FakeHistogram:
        self._labels = values
        return self

    def observe(self, value: float) -> None:
        self.observed.append((self._labels, value))


def hook_example() -> str:
    section = README.read_text().split(HEADING, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


async def test_the_readme_hook_feeds_one_span_and_one_observation_per_attempt(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracer = FakeTracer()
    trace = types.ModuleType("opentelemetry.trace")
    trace.get_tracer = lambda name: tracer  # type: ignore[attr-defined]
    opentelemetry = types.ModuleType("opentelemetry")
    opentelemetry.trace = trace  # type: ignore[attr-defined]
    prometheus = types.ModuleType("prometheus_client")
    prometheus.Histogram = FakeHistogram  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "opentelemetry", opentelemetry)
    monkeypatch.setitem(sys.modules, "opentelemetry.trace", trace)
    monkeypatch.setitem(sys.modules, "prometheus_client", prometheus)

    class EmulatorClient(Client):
        def __init__(self, **settings: Any) -> None:
            super().__init__(emu.account_sid, emu.auth_token, base_url=emu.url, **settings)

    monkeypatch.setattr(twilio_proxy_async, "Client", EmulatorClient)
    namespace: dict[str, Any] = {"__name__": "readme_hooks"}
    exec(compile(hook_example(), "README.md", "exec"), namespace)

    async with namespace["client"] as client:
        made = await client.proxy.services.create(unique_name="traced")
        with pytest.raises(NotFoundError):
            await client.proxy.services.fetch("KS" + "0" * 32)
    [created, missing] = tracer.spans
    assert created.name == "twilio POST"
    assert created.attributes["url.full"] == f"{emu.url}/v1/Services"
    assert created.attributes["http.response.status_code"] == 201
    assert created.attributes["http.request.resend_count"] == 0
    assert created.attributes["twilio.request_id"].startswith("RQ")
    assert created.end_time is not None and created.start_time <= created.end_time
    assert missing.attributes["http.response.status_code"] == 404
    assert missing.attributes["url.full"].endswith("/v1/Services/KS" + "0" * 32)
    histogram = namespace["SECONDS"]
    assert [labels for labels, _ in histogram.observed] == [("POST", "201"), ("GET", "404")]
    assert all(seconds >= 0 for _, seconds in histogram.observed)
    assert made.unique_name == "traced"
