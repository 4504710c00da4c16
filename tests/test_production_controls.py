"""Production controls (issue #13): deadlines, per-call views, retries by operation, event
hooks, logging, TWILIO_BASE_URL; against the emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from emulator_support import client_for
from leak_support import leaks

from twilio_proxy_async import (
    Client,
    ClientClosedError,
    ConcurrencyLimiter,
    ConfigurationError,
    RateLimitError,
    RequestEvent,
    ServerError,
    Service,
    TwilioTimeoutError,
)
from twilio_proxy_async._export import Progress, run_export
from twilio_proxy_async._logging import ENV_VARIABLE, configure_from_environment, logger
from twilio_proxy_async.testing import DemoData, Emulator, Faults, instant_retry_waits

from helpers import ACCOUNT, TOKEN


@pytest.fixture
async def service(emu: Emulator) -> Service:
    async with client_for(emu) as client:
        return await client.proxy.services.create(unique_name="controls")


def answered(emu: Emulator, status: int) -> int:
    return emu.stats.responses_by_status.get(status, 0)


# --- total_timeout ------------------------------------------------------------------


async def test_a_retry_after_beyond_the_total_timeout_ends_the_call_at_once(
    emu: Emulator, service: Service
) -> None:
    emu.faults = Faults(rate_429=1.0, retry_after="120")
    async with client_for(emu, timeout=30, total_timeout=5) as client:
        sleeps = instant_retry_waits(client)
        with pytest.raises(RateLimitError) as caught:
            await client.proxy.services.fetch(service.sid)
    assert sleeps.delays == []
    assert caught.value.attempts == 1
    assert caught.value.retry_after == 120
    assert "total_timeout=5.0s leaves no time for a 60s wait" in str(caught.value)
    assert answered(emu, 429) == 1


async def test_the_total_timeout_bounds_an_attempt_that_stalls(
    emu: Emulator, service: Service
) -> None:
    emu.faults = Faults(stall=30.0)
    async with client_for(emu, timeout=30, total_timeout=0.3) as client:
        with pytest.raises(TwilioTimeoutError) as caught:
            await client.proxy.services.fetch(service.sid)
    assert "what was left of total_timeout=0.3s" in str(caught.value)


async def test_the_total_timeout_covers_the_wait_for_a_place_in_the_limit(
    emu: Emulator, service: Service
) -> None:
    emu.faults = Faults(stall=30.0)
    async with client_for(emu, max_concurrency=1, max_retries=0) as client:
        holder = asyncio.create_task(client.proxy.services.fetch(service.sid))
        await asyncio.sleep(0.05)
        with pytest.raises(TwilioTimeoutError, match="no free place in the concurrency limit"):
            await client.with_options(total_timeout=0.2).proxy.services.fetch(service.sid)
        holder.cancel()
        await asyncio.wait([holder])
    # The second call never got a place: the emulator saw the fixture's create and the
    # stalled fetch only.
    assert emu.stats.requests_total == 2


# --- with_options -----------------------------------------------------------------


async def test_a_view_changes_call_settings_and_shares_everything_else(
    emu: Emulator, service: Service
) -> None:
    async with client_for(emu, max_retries=3) as client:
        instant_retry_waits(client)
        patient = client.with_options(total_timeout=60)
        impatient = client.with_options(max_retries=0, timeout=0.2)
        assert impatient.limiter is client.limiter is patient.limiter
        assert (await impatient.proxy.services.fetch(service.sid)).sid == service.sid
        emu.faults = Faults(rate_500=1.0)
        with pytest.raises(ServerError) as once:
            await impatient.proxy.services.fetch(service.sid)
        with pytest.raises(ServerError) as retried:
            await client.proxy.services.fetch(service.sid)
        assert (once.value.attempts, retried.value.attempts) == (1, 4)
        emu.faults = Faults(stall=30.0)
        with pytest.raises(TwilioTimeoutError, match=r"within 0\.2s"):
            await impatient.proxy.services.fetch(service.sid)
        emu.faults = Faults()
        # Closing a view closes nothing: it owns nothing.
        async with impatient:
            pass
        assert not client.closed
        assert (await client.proxy.services.fetch(service.sid)).sid == service.sid
    # Closing the client closes every view of it.
    assert impatient.closed and patient.closed
    with pytest.raises(ClientClosedError):
        await patient.proxy.services.fetch(service.sid)


@pytest.mark.parametrize(
    "settings",
    [{"timeout": 0}, {"timeout": -1}, {"max_retries": -1}, {"total_timeout": 0}, {"timeout": "1"}],
)
def test_view_settings_are_validated(settings: dict[str, Any]) -> None:
    client = Client(ACCOUNT, TOKEN)
    with pytest.raises(ConfigurationError):
        client.with_options(**settings)


def test_a_view_may_drop_the_total_timeout() -> None:
    client = Client(ACCOUNT, TOKEN, total_timeout=5)
    assert client.with_options(total_timeout=None)._transport.options.total_timeout is None
    assert client.with_options(timeout=3)._transport.options.total_timeout == 5


# --- retries by operation ---------------------------------------------------------


async def test_an_update_is_retried_on_5xx_and_a_create_is_not(
    emu: Emulator, service: Service
) -> None:
    async with client_for(emu) as client:
        instant_retry_waits(client)
        emu.faults = Faults(rate_500=1.0, methods=["POST"])
        with pytest.raises(ServerError) as updated:
            await client.proxy.services.update(service.sid, default_ttl=60)
        assert updated.value.attempts == 4
        assert "may exist" not in str(updated.value)
        before = emu.stats.requests_total
        with pytest.raises(ServerError) as created:
            await client.proxy.services.create(unique_name="maybe")
        assert emu.stats.requests_total == before + 1
    assert created.value.attempts == 1
    assert "the resource may exist: look for it (fetch it by unique name" in str(created.value)


async def test_a_create_cut_off_after_sending_says_it_may_exist(emu: Emulator) -> None:
    emu.faults = Faults(rate_reset_mid_body=1.0, methods=["POST"])
    async with client_for(emu) as client:
        sessions_before = len(emu.snapshot()["services"])
        with pytest.raises(Exception, match="the resource may exist") as caught:
            await client.proxy.services.create(unique_name="half-made")
    assert caught.value.attempts == 1  # type: ignore[attr-defined]
    # And it did: the emulator created it before the answer was cut.
    assert len(emu.snapshot()["services"]) == sessions_before + 1


# --- event hooks ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_hooks_see_every_attempt_answer_and_retry_with_request_ids(
    emu: Emulator, service: Service, kind: str
) -> None:
    events: list[tuple[str, RequestEvent]] = []

    def recorder(name: str) -> Any:
        def record(event: RequestEvent) -> None:
            events.append((name, event))
            if name == "retry":
                emu.faults = Faults()

        async def record_async(event: RequestEvent) -> None:
            await asyncio.sleep(0)
            record(event)

        return record if kind == "sync" else record_async

    hooks = {name: [recorder(name)] for name in ("request", "response", "retry")}
    async with client_for(emu, event_hooks=hooks) as client:
        sleeps = instant_retry_waits(client)
        emu.faults = Faults(rate_429=1.0)
        await client.proxy.services.fetch(service.sid)
    names = [name for name, _ in events]
    assert names == ["request", "response", "retry", "request", "response"]
    first, throttled, retry, second, ok = (event for _, event in events)
    url = f"{emu.url}/v1/Services/{service.sid}"
    assert all((event.method, event.url) == ("GET", url) for _, event in events)
    assert [first.attempt, throttled.attempt, retry.attempt, second.attempt] == [1, 1, 1, 2]
    assert (first.status, first.request_id, first.elapsed) == (None, None, None)
    assert throttled.status == 429 and ok.status == 200
    assert throttled.request_id and throttled.request_id.startswith("RQ")
    assert ok.request_id and ok.request_id != throttled.request_id
    assert ok.elapsed is not None and ok.elapsed >= 0
    assert isinstance(retry.error, RateLimitError) and retry.wait == sleeps.delays[0]
    for _, event in events:
        assert not leaks(repr(event), emu.auth_token, emu.account_sid)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ok.status = 500  # type: ignore[misc]


async def test_a_hook_that_raises_fails_the_call(emu: Emulator, service: Service) -> None:
    def broken(event: RequestEvent) -> None:
        raise LookupError("hook bug")

    async with client_for(emu, event_hooks={"response": [broken]}) as client:
        with pytest.raises(LookupError, match="hook bug"):
            await client.proxy.services.fetch(service.sid)


@pytest.mark.parametrize(
    ("hooks", "message"),
    [
        ({"answer": [print]}, "unknown event hook 'answer'"),
        ({"request": print}, "must be a list"),
        ({"request": [42]}, "not callable"),
        ([("request", [print])], "must map"),
    ],
)
def test_event_hooks_are_validated(hooks: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Client(ACCOUNT, TOKEN, event_hooks=hooks)


# --- logging ----------------------------------------------------------------------


async def test_debug_logs_one_line_per_attempt_and_info_each_retry(
    emu: Emulator, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="twilio_proxy_async")
    async with client_for(emu) as client:
        sleeps = instant_retry_waits(
            client, on_wait=lambda _count: setattr(emu, "faults", Faults())
        )
        emu.faults = Faults(rate_500=1.0)
        listed = [found async for found in client.proxy.services.list(limit=1)]
    assert [found.sid for found in listed] == [service.sid]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(debug) == 2
    assert debug[0].startswith("GET /v1/Services?PageSize=1 -> 500 [request RQ")
    assert debug[0].endswith(" ms") and "attempt 1, " in debug[0]
    assert debug[1].startswith("GET /v1/Services?PageSize=1 -> 200 [request RQ")
    assert "attempt 2, " in debug[1]
    assert len(info) == 1
    assert info[0].startswith(
        f"retrying GET /v1/Services?PageSize=1 in {sleeps.delays[0]:.2f}s (attempt 1 failed: "
        f"GET {emu.url}/v1/Services?PageSize=1 -> HTTP 500"
    )
    # The per-attempt lines leave the origin out; path and query are what tell calls apart.
    assert not any(emu.url in line for line in debug)
    for record in caplog.records:
        assert not leaks(record.getMessage(), emu.auth_token, emu.account_sid)


@pytest.fixture
def restored_logger() -> Any:
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.mark.usefixtures("restored_logger")
@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO)])
def test_the_environment_variable_attaches_one_stderr_handler(value: str, level: int) -> None:
    before = len(logger.handlers)
    configure_from_environment({ENV_VARIABLE: value})
    configure_from_environment({ENV_VARIABLE: value})
    assert len(logger.handlers) == before + 1
    assert logger.level == level


@pytest.mark.usefixtures("restored_logger")
def test_an_unknown_log_level_is_reported_and_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    before = list(logger.handlers)
    configure_from_environment({ENV_VARIABLE: "loud"})
    assert logger.handlers == before
    assert "ignoring TWILIO_PROXY_ASYNC_LOG='loud'" in capsys.readouterr().err


# --- TWILIO_BASE_URL --------------------------------------------------------------


async def test_the_base_url_comes_from_the_environment(
    emu: Emulator, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_BASE_URL", emu.url)
    async with Client(emu.account_sid, emu.auth_token) as client:
        assert (await client.proxy.services.fetch(service.sid)).sid == service.sid
    monkeypatch.setenv("TWILIO_BASE_URL", "http://example.com")
    with pytest.raises(ConfigurationError, match="plain http"):
        Client(emu.account_sid, emu.auth_token)
    # An explicit base_url wins over the variable.
    assert "proxy.twilio.com" not in repr(Client(ACCOUNT, TOKEN, base_url=emu.url))


# --- the adaptive limit against the emulator's own concurrency limit ---------------


async def test_the_limit_adapts_to_the_emulators_concurrency_limit(
    emu: Emulator, service: Service
) -> None:
    emu.faults = Faults(concurrency_limit=4, latency=0.01)
    async with client_for(emu, max_concurrency=32, max_retries=8) as client:
        instant_retry_waits(client)

        async def fetch(_: int) -> str:
            return (await client.proxy.services.fetch(service.sid)).sid

        first = await asyncio.gather(*(fetch(n) for n in range(200)))
        assert client.limiter.limit <= 4
        throttled = answered(emu, 429)
        second = await asyncio.gather(*(fetch(n) for n in range(100)))
    assert set(first) == set(second) == {service.sid}
    assert throttled > 0
    # Settled: the second round trips the limit rarely if at all (only a probe after a hold).
    assert answered(emu, 429) - throttled <= 2
    assert client.limiter.lowest <= 4 < ConcurrencyLimiter(32).limit


# --- the export at its defaults against a small allowance ---------------------------


@pytest.mark.parametrize("waits", ["instant", "real"])
async def test_the_export_at_its_defaults_fits_an_allowance_of_ten_and_says_so_once(
    tmp_path: Path, waits: str
) -> None:
    demo = DemoData(
        services=4,
        phone_numbers_per_service=2,
        sessions_per_service=25,
        participants_per_session=2,
        interactions_per_session=1,
        chat_services=2,
    )
    stream = io.StringIO()
    async with Emulator(demo=demo) as emu:
        emu.faults = Faults(concurrency_limit=10, latency=0.01)
        async with client_for(emu) as client:
            if waits == "instant":
                instant_retry_waits(client)
            summary = await run_export(
                client, tmp_path, page_size=5, progress=Progress(stream, "lines")
            )
    assert answered(emu, 429) > 0, "the allowance was never reached: the test proves nothing"
    assert sum(summary.counts.values()) > 0
    said = [line for line in stream.getvalue().splitlines() if "fewer concurrent" in line]
    assert len(said) == 1, said
    shown = re.fullmatch(
        r"the account allows fewer concurrent requests than 32: running at (\d+) "
        r"\(--max-concurrency \1 starts there\)",
        said[0],
    )
    assert shown is not None, said[0]
    # Said when first lowered; the limit may have settled lower since.
    assert client.limiter.lowest <= int(shown.group(1)) < 32
