"""Faults against the real emulator on 127.0.0.1, each with its designed outcome exactly.

What the emulator cannot produce (a list page with one malformed record) comes from a
purpose-built loopback server. Retry waits are recorded, not slept (``instant_retry_waits``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping

import attrs
import backoff
import pytest
from aiohttp import web
from emulator_support import (
    client_for,
    loopback_server,
    services_only,
    wait_until_idle,
)

from twilio_proxy_async import (
    Client,
    GeoMatchLevel,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    Service,
    TwilioConnectionError,
    TwilioError,
    TwilioTimeoutError,
)
from twilio_proxy_async.testing import Emulator, Faults, instant_retry_waits

from helpers import ACCOUNT, TOKEN

pytestmark = pytest.mark.twilio_emulator(record_requests=True)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[Client]:
    async with client_for(emu, max_retries=3) as opened:
        yield opened


@pytest.fixture
async def service(emu: Emulator, client: Client) -> Service:
    """One Service made before any fault is switched on; the request log starts after it."""
    made = await client.proxy.services.create(unique_name="fault-target")
    emu.requests.clear()
    return made


def calls(emu: Emulator, method: str) -> int:
    return sum(1 for request in emu.requests if request.method == method)


def stored_services(emu: Emulator) -> list[str]:
    return [record["unique_name"] for record in emu.snapshot()["services"]]


def end_faults_after(emu: Emulator, retries: int) -> Callable[[int], None]:
    def on_wait(count: int) -> None:
        if count == retries:
            emu.faults = Faults()

    return on_wait


async def test_429_storm_with_retry_after_waits_as_told_then_succeeds(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_429=1.0, retry_after="7")
    sleeps = instant_retry_waits(client, on_wait=end_faults_after(emu, 3))
    fetched = await client.proxy.services.fetch(service.sid)
    assert fetched == service
    assert sleeps.delays == [7.0, 7.0, 7.0]
    assert calls(emu, "GET") == 4
    assert emu.stats.responses_by_status[429] == 3


async def test_429_storm_that_outlasts_the_retries_raises_rate_limit_error(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_429=1.0, retry_after="2")
    sleeps = instant_retry_waits(client)
    with pytest.raises(RateLimitError) as caught:
        await client.proxy.services.update(service.sid, default_ttl=60)
    error = caught.value
    # 429 means Twilio did not act, so even a POST is repeated, max_retries times.
    assert calls(emu, "POST") == 4
    assert sleeps.delays == [2.0, 2.0, 2.0]
    assert (error.status, error.code, error.retry_after) == (429, 20429, 2.0)
    assert error.message == "Too Many Requests"
    assert error.more_info == "https://www.twilio.com/docs/errors/20429"
    assert error.request_id is not None and error.request_id.startswith("RQ")
    assert (error.method, error.url) == ("POST", f"{emu.url}/v1/Services/{service.sid}")
    assert json.loads(error.body)["code"] == 20429
    assert emu.snapshot()["services"][0]["default_ttl"] == service.default_ttl


async def test_a_huge_retry_after_is_capped(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_429=1.0, retry_after="86400")
    sleeps = instant_retry_waits(client, on_wait=end_faults_after(emu, 1))
    await client.proxy.services.fetch(service.sid)
    assert sleeps.delays == [60.0]


async def test_429_storm_without_retry_after_backs_off_exponentially(
    emu: Emulator, client: Client, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without jitter the backoff schedule is exact: base 0.5 s, doubling.
    monkeypatch.setattr(backoff, "full_jitter", lambda value: value)
    emu.faults = Faults(rate_429=1.0)
    sleeps = instant_retry_waits(client)
    with pytest.raises(RateLimitError) as caught:
        await client.proxy.services.fetch(service.sid)
    assert sleeps.delays == [0.5, 1.0, 2.0]
    assert caught.value.retry_after is None
    assert calls(emu, "GET") == 4


async def test_jittered_backoff_stays_within_each_cap(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_429=1.0)
    sleeps = instant_retry_waits(client)
    for _ in range(5):
        with pytest.raises(RateLimitError):
            await client.proxy.services.fetch(service.sid)
    assert len(sleeps.delays) == 15
    for index, delay in enumerate(sleeps.delays):
        assert 0.0 <= delay <= 0.5 * 2 ** (index % 3)
    assert len(set(sleeps.delays)) > 1


async def test_5xx_on_get_is_retried_and_succeeds(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_500=1.0, seed=3)
    sleeps = instant_retry_waits(client, on_wait=end_faults_after(emu, 2))
    assert await client.proxy.services.fetch(service.sid) == service
    assert calls(emu, "GET") == 3
    assert len(sleeps.delays) == 2
    statuses = emu.stats.responses_by_status
    assert statuses.get(500, 0) + statuses.get(503, 0) == 2
    assert statuses[200] == 1


async def test_5xx_on_post_is_not_retried_and_creates_nothing_twice(
    emu: Emulator, client: Client
) -> None:
    emu.faults = Faults(rate_500=1.0, methods=["POST"])
    sleeps = instant_retry_waits(client)
    with pytest.raises(ServerError) as caught:
        await client.proxy.services.create(unique_name="once")
    assert calls(emu, "POST") == 1
    assert sleeps.delays == []
    assert caught.value.status in (500, 503)
    assert caught.value.code in (20500, 20503)
    assert stored_services(emu) == []


async def test_5xx_on_delete_is_retried_because_delete_is_idempotent(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_500=1.0, methods=["DELETE"])
    instant_retry_waits(client, on_wait=end_faults_after(emu, 1))
    await client.proxy.services.delete(service.sid)
    assert calls(emu, "DELETE") == 2
    assert stored_services(emu) == []


async def test_reset_before_any_byte_on_get_is_retried(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_reset=1.0)
    sleeps = instant_retry_waits(client, on_wait=end_faults_after(emu, 1))
    assert await client.proxy.services.fetch(service.sid) == service
    assert len(sleeps.delays) == 1
    # aiohttp itself re-sends an idempotent request once when the server drops the
    # connection before answering (RFC 9112 9.3.1), so each SDK attempt is two requests.
    assert emu.stats.faults_injected == {"rate_reset": 2}
    assert calls(emu, "GET") == 3


async def test_resets_that_outlast_the_retries_raise_a_connection_error(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_reset=1.0)
    instant_retry_waits(client)
    with pytest.raises(TwilioConnectionError) as caught:
        await client.proxy.services.fetch(service.sid)
    error = caught.value
    assert type(error) is TwilioConnectionError
    assert (error.method, error.url) == ("GET", f"{emu.url}/v1/Services/{service.sid}")
    assert "ServerDisconnectedError" in str(error)
    # Four SDK attempts, each re-sent once by aiohttp itself (see the test above).
    assert calls(emu, "GET") == 8


async def test_reset_before_any_byte_on_post_raises_without_retry(
    emu: Emulator, client: Client
) -> None:
    emu.faults = Faults(rate_reset=1.0, methods=["POST"])
    sleeps = instant_retry_waits(client)
    with pytest.raises(TwilioConnectionError) as caught:
        await client.proxy.services.create(unique_name="lost")
    assert type(caught.value) is TwilioConnectionError
    assert caught.value.method == "POST"
    assert calls(emu, "POST") == 1
    assert sleeps.delays == []
    assert stored_services(emu) == []


async def test_reset_mid_body_on_get_is_retried(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_reset_mid_body=1.0)
    sleeps = instant_retry_waits(client, on_wait=end_faults_after(emu, 2))
    assert await client.proxy.services.fetch(service.sid) == service
    assert calls(emu, "GET") == 3
    assert len(sleeps.delays) == 2
    assert emu.stats.faults_injected == {"rate_reset_mid_body": 2}


async def test_reset_mid_body_on_post_raises_and_the_create_happened_once(
    emu: Emulator, client: Client
) -> None:
    emu.faults = Faults(rate_reset_mid_body=1.0, methods=["POST"])
    sleeps = instant_retry_waits(client)
    with pytest.raises(TwilioConnectionError) as caught:
        await client.proxy.services.create(unique_name="half-answered")
    assert type(caught.value) is TwilioConnectionError
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert "ClientPayloadError" in caught.value.reason
    assert calls(emu, "POST") == 1
    assert sleeps.delays == []
    # Twilio acted before the answer was cut: exactly one Service exists, not two.
    assert stored_services(emu) == ["half-answered"]


async def test_stalling_server_raises_timeout_after_the_timeout(emu: Emulator) -> None:
    async with client_for(emu, timeout=0.2, max_retries=0) as client:
        emu.faults = Faults(stall=30.0)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(TwilioTimeoutError, match=r"within 0\.2s") as caught:
            await client.proxy.services.fetch("anything")
        elapsed = loop.time() - started
    assert 0.2 <= elapsed < 2.0
    assert caught.value.method == "GET"
    assert calls(emu, "GET") == 1


async def test_stall_on_get_is_retried_and_each_try_is_timed(emu: Emulator) -> None:
    async with client_for(emu, timeout=0.1, max_retries=2) as client:
        emu.faults = Faults(stall=30.0)
        instant_retry_waits(client)
        with pytest.raises(TwilioTimeoutError):
            await client.proxy.services.fetch("anything")
    assert calls(emu, "GET") == 3


async def test_stall_on_post_times_out_without_retry(emu: Emulator) -> None:
    async with client_for(emu, timeout=0.1, max_retries=3) as client:
        emu.faults = Faults(stall=30.0, methods=["POST"])
        sleeps = instant_retry_waits(client)
        with pytest.raises(TwilioTimeoutError):
            await client.proxy.services.create(unique_name="slow")
    assert calls(emu, "POST") == 1
    assert sleeps.delays == []


async def test_truncated_json_on_fetch_is_a_validation_error_keeping_the_body(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_truncated_json=1.0)
    sleeps = instant_retry_waits(client)
    with pytest.raises(ResponseValidationError) as caught:
        await client.proxy.services.fetch(service.sid)
    error = caught.value
    assert type(error) is ResponseValidationError
    assert error.status == 200
    assert error.body.startswith(b'{"sid":')
    with pytest.raises(json.JSONDecodeError):
        json.loads(error.body)
    assert error.__suppress_context__ and error.__cause__ is None
    assert calls(emu, "GET") == 1
    assert sleeps.delays == []


async def test_truncated_json_on_a_list_page_is_a_validation_error(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_truncated_json=1.0)
    with pytest.raises(ResponseValidationError) as caught:
        [record async for record in client.proxy.services.list()]
    assert caught.value.body.startswith(b'{"services":[')
    assert caught.value.url == f"{emu.url}/v1/Services"


async def test_truncated_json_on_post_is_not_retried_and_created_once(
    emu: Emulator, client: Client
) -> None:
    emu.faults = Faults(rate_truncated_json=1.0, methods=["POST"])
    with pytest.raises(ResponseValidationError) as caught:
        await client.proxy.services.create(unique_name="cut")
    assert caught.value.status == 200
    assert calls(emu, "POST") == 1
    assert stored_services(emu) == ["cut"]


async def test_html_502_after_retries_is_a_server_error_keeping_the_html(
    emu: Emulator, client: Client, service: Service
) -> None:
    emu.faults = Faults(rate_html_502=1.0)
    sleeps = instant_retry_waits(client)
    with pytest.raises(ServerError) as caught:
        await client.proxy.services.fetch(service.sid)
    error = caught.value
    assert (error.status, error.code, error.more_info, error.details) == (502, None, None, None)
    assert error.body.startswith(b"<html>") and b"502 Bad Gateway" in error.body
    assert "502 Bad Gateway" in error.message
    assert error.request_id is not None
    assert calls(emu, "GET") == 4
    assert len(sleeps.delays) == 3


async def test_no_retries_when_max_retries_is_zero(emu: Emulator) -> None:
    async with client_for(emu, max_retries=0) as client:
        emu.faults = Faults(rate_500=1.0)
        with pytest.raises(ServerError):
            await client.proxy.services.list().__anext__()
    assert calls(emu, "GET") == 1
    await wait_until_idle(emu)


def record(index: int, **changes: object) -> dict[str, object]:
    made: dict[str, object] = {
        "sid": f"KS{index:032x}",
        "account_sid": ACCOUNT,
        "unique_name": f"svc-{index}",
        "geo_match_level": "country",
        "number_selection_behavior": "prefer-sticky",
        "default_ttl": 60,
        "date_created": "2024-01-02T03:04:05Z",
    }
    made.update(changes)
    return {key: value for key, value in made.items() if value is not _MISSING}


_MISSING = object()


@attrs.frozen
class ServedPages:
    """Two list pages; the second holds the record under test."""

    first: bytes
    second: bytes


def two_pages(base: str, odd: Mapping[str, object]) -> ServedPages:
    def body(index: int, records: list[Mapping[str, object]], last: bool) -> bytes:
        next_url = None if last else f"{base}/v1/Services?PageSize=2&Page=1&PageToken=PA1"
        meta = {"key": "services", "page": index, "page_size": 2, "next_page_url": next_url}
        return json.dumps({"services": records, "meta": meta}).encode()

    return ServedPages(
        body(0, [record(0), record(1)], last=False), body(1, [record(2), odd], last=True)
    )


async def list_with_odd_record(
    odd: Mapping[str, object],
) -> tuple[list[Service], bytes, Exception | None]:
    """Lists two pages from a loopback server; returns the records, page 2's bytes, and
    the exception raised (or None)."""
    async with loopback_server() as server:
        pages = two_pages(server.url, odd)

        async def serve(request: web.Request) -> web.StreamResponse:
            body = pages.second if "Page=1" in request.raw_path else pages.first
            return web.Response(body=body, content_type="application/json")

        server.handler = serve
        seen: list[Service] = []
        raised: Exception | None = None
        async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
            try:
                async for item in client.proxy.services.list(page_size=2):
                    seen.append(item)
            except Exception as exc:
                raised = exc
        return seen, pages.second, raised


@pytest.mark.parametrize(
    ("odd", "mentions"),
    [
        (record(3, sid="KS-not-a-sid"), "sid"),
        (record(3, sid="KC" + "a" * 32), "sid"),
        (record(3, account_sid="AC123"), "account_sid"),
        (record(3, sid=_MISSING), "sid"),
        (record(3, default_ttl="60"), "integer"),
        (record(3, date_created="yesterday"), "yesterday"),
        (record(3, links=["not", "a", "map"]), "JSON object"),
    ],
)
async def test_a_malformed_record_is_a_validation_error_keeping_the_raw_page(
    odd: dict[str, object], mentions: str
) -> None:
    seen, second_page, raised = await list_with_odd_record(odd)
    assert isinstance(raised, ResponseValidationError)
    assert type(raised) is ResponseValidationError
    assert raised.body == second_page
    assert raised.status == 200
    assert mentions in raised.reason
    assert raised.__cause__ is None and raised.__suppress_context__
    # Every record before the bad one (record 3, the second of page 2) came first, in order.
    assert [item.sid for item in seen] == [f"KS{n:032x}" for n in range(3)]


async def test_an_unknown_enum_value_is_kept_as_its_raw_string() -> None:
    seen, _, raised = await list_with_odd_record(record(3, geo_match_level="planet"))
    assert raised is None
    assert [item.unique_name for item in seen] == ["svc-0", "svc-1", "svc-2", "svc-3"]
    assert seen[3].geo_match_level == "planet"
    assert not isinstance(seen[3].geo_match_level, GeoMatchLevel)
    assert seen[2].geo_match_level is GeoMatchLevel.COUNTRY


async def test_missing_optional_fields_are_none() -> None:
    sparse = {"sid": f"KS{3:032x}"}
    seen, _, raised = await list_with_odd_record(sparse)
    assert raised is None
    last = seen[3]
    assert last.sid == sparse["sid"]
    assert (last.unique_name, last.geo_match_level, last.default_ttl, last.date_created) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json at all",
        b"<html>200 but HTML</html>",
        b"[]",
        b"null",
        b'{"services": []}',
        b'{"meta": {"key": "services"}}',
        b'{"services": {}, "meta": {"key": "services"}}',
        b'{"services": [], "meta": {"key": 7}}',
        b'{"services": [], "meta": {"key": "services", "next_page_url": 5}}',
        b'{"services": [7], "meta": {"key": "services"}}',
        b'{"services": [null], "meta": {"key": "services"}}',
        b'{"services": [{}], "meta": {"key": "services"}}',
        b'{"services": [{"sid": null}], "meta": {"key": "services"}}',
        b'\xff\xfe{"services": []}',
    ],
)
async def test_hostile_list_bodies_only_ever_raise_response_validation_error(
    body: bytes,
) -> None:
    async def serve(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, content_type="application/json")

    async with (
        loopback_server(serve) as server,
        Client(ACCOUNT, TOKEN, base_url=server.url) as client,
    ):
        with pytest.raises(TwilioError) as caught:
            [item async for item in client.proxy.services.list()]
        assert type(caught.value) is ResponseValidationError
        assert caught.value.body == body
        with pytest.raises(TwilioError) as fetched:
            await client.proxy.services.fetch("x")
        assert type(fetched.value) is ResponseValidationError


LISTED_SERVICES = 57
RANDOM_FAULTS = Faults(
    rate_429=0.1, rate_500=0.1, rate_html_502=0.05, rate_reset=0.05, rate_reset_mid_body=0.1
)


@pytest.fixture
async def crowded() -> AsyncIterator[Emulator]:
    async with Emulator(demo=services_only(LISTED_SERVICES)) as emulator:
        yield emulator


@pytest.mark.parametrize("seed", range(6))
async def test_listing_under_random_faults_yields_every_record_once_in_order(
    crowded: Emulator, seed: int
) -> None:
    expected = [record["sid"] for record in crowded.snapshot()["services"]]
    crowded.faults = attrs.evolve(RANDOM_FAULTS, seed=seed)
    async with client_for(crowded, max_retries=12) as client:
        sleeps = instant_retry_waits(client)
        async with client.proxy.services.list(page_size=5) as services:
            listed = [service.sid async for service in services]
    assert listed == expected
    injected = sum(crowded.stats.faults_injected.values())
    assert injected > 0
    # Every injected fault cost one retry, except a reset aiohttp re-sent on its own.
    resent_by_aiohttp = crowded.stats.faults_injected.get("rate_reset", 0)
    assert injected - resent_by_aiohttp <= len(sleeps.delays) <= injected


async def test_listing_under_faults_it_cannot_outlast_stops_with_a_typed_error(
    crowded: Emulator,
) -> None:
    expected = [record["sid"] for record in crowded.snapshot()["services"]]
    failures: list[TwilioError] = []
    for seed in range(8):
        crowded.faults = attrs.evolve(RANDOM_FAULTS, rate_truncated_json=0.05, seed=seed)
        listed: list[str] = []
        async with client_for(crowded, max_retries=1) as client:
            instant_retry_waits(client)
            try:
                async with client.proxy.services.list(page_size=5) as services:
                    async for service in services:
                        listed.append(service.sid)
            except TwilioError as exc:
                failures.append(exc)
                # The error comes after every record of the pages before it.
                assert len(listed) % 5 == 0
        # A prefix of the listing, in order, with nothing repeated or skipped.
        assert listed == expected[: len(listed)]
    assert failures
    typed = RateLimitError | ServerError | TwilioConnectionError | ResponseValidationError
    assert all(isinstance(failure, typed) for failure in failures)
