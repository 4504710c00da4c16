"""Emulator fault injection, request recording, counters and clean shutdown."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import attrs
import pytest
from emulator_http import Api

from twilio_proxy_async.testing import Emulator, Faults

pytestmark = pytest.mark.twilio_emulator(record_requests=True)


async def _statuses(api: Api, count: int, path: str = "/v1/Services") -> list[int]:
    return [(await api.call("GET", path)).status for _ in range(count)]


async def test_latency_delays_every_matching_response(api: Api) -> None:
    api.emulator.faults = Faults(latency=0.15, latency_jitter=0.05)
    started = time.perf_counter()
    await api.ok("GET", "/v1/Services", 200)
    assert time.perf_counter() - started >= 0.15
    assert api.emulator.stats.faults_injected == {"latency": 1}


async def test_concurrency_limit_answers_429_beyond_the_limit(api: Api) -> None:
    api.emulator.faults = Faults(concurrency_limit=2, latency=0.2, retry_after="1")
    responses = await asyncio.gather(*(api.call("GET", "/v1/Services") for _ in range(8)))
    throttled = [r for r in responses if r.status == 429]
    assert throttled and len(throttled) < 8
    for response in throttled:
        assert response.json["code"] == 20429
        assert response.headers["Retry-After"] == "1"
        assert int(response.headers["Twilio-Concurrent-Requests"]) > 2
    for response in responses:
        assert 1 <= int(response.headers["Twilio-Concurrent-Requests"]) <= 8
    assert max(int(r.headers["Twilio-Concurrent-Requests"]) for r in responses) >= 3
    stats = api.emulator.stats
    assert stats.faults_injected["concurrency_limit"] == len(throttled)
    assert stats.max_in_flight >= 3 and stats.in_flight == 0
    assert stats.responses_by_status == {200: 8 - len(throttled), 429: len(throttled)}


@pytest.mark.parametrize("retry_after", ["3", None])
async def test_rate_429_with_or_without_retry_after(api: Api, retry_after: str | None) -> None:
    api.emulator.faults = Faults(rate_429=1.0, retry_after=retry_after)
    response = await api.call("POST", "/v1/Services", data={"UniqueName": "never"})
    assert response.status == 429 and response.json["code"] == 20429
    assert response.headers.get("Retry-After") == retry_after
    assert api.emulator.snapshot()["services"] == []


async def test_rate_500_answers_500_or_503_json(api: Api) -> None:
    api.emulator.faults = Faults(rate_500=1.0, seed=3)
    codes = set()
    for _ in range(20):
        response = await api.call("GET", "/v1/Services")
        codes.add((response.status, response.json["code"]))
        assert set(response.json) == {"code", "message", "more_info", "status"}
    assert codes == {(500, 20500), (503, 20503)}


async def test_rate_html_502_looks_like_a_load_balancer(api: Api) -> None:
    api.emulator.faults = Faults(rate_html_502=1.0)
    response = await api.call("GET", "/v1/Services")
    assert response.status == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"502 Bad Gateway" in response.body


async def test_rate_reset_drops_the_connection_before_any_byte(api: Api) -> None:
    api.emulator.faults = Faults(rate_reset=1.0)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "/v1/Services", data={"UniqueName": "lost"})
    assert api.emulator.snapshot()["services"] == []
    assert api.emulator.stats.faults_injected == {"rate_reset": 1}
    api.emulator.faults = Faults()
    await api.ok("GET", "/v1/Services", 200)


async def test_rate_reset_mid_body_sends_headers_then_part_of_the_body(api: Api) -> None:
    api.emulator.faults = Faults(rate_reset_mid_body=1.0)
    async with api.session.get(api.emulator.url + "/v1/Services", headers=api.headers) as response:
        assert response.status == 200
        assert int(response.headers["Content-Length"]) > 0
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()


async def test_rate_truncated_json_is_a_cut_body_with_honest_length(api: Api) -> None:
    await api.ok("POST", "/v1/Services", 201, data={"UniqueName": "kept"})
    api.emulator.faults = Faults(rate_truncated_json=1.0)
    response = await api.call("GET", "/v1/Services")
    assert response.status == 200
    assert int(response.headers["Content-Length"]) == len(response.body)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.body)
    assert response.body.startswith(b'{"services":[')


async def test_stall_outlasts_a_client_timeout_and_stop_stays_prompt() -> None:
    emulator = Emulator(faults=Faults(stall=30.0))
    await emulator.start()
    try:
        async with aiohttp.ClientSession() as session:
            api = Api(emulator, session)
            stalled = asyncio.create_task(api.call("GET", "/v1/Services"))
            await asyncio.sleep(0.1)
            assert emulator.stats.in_flight == 1
            started = time.perf_counter()
            await emulator.stop()
            assert time.perf_counter() - started < 1.0
            with pytest.raises(aiohttp.ClientConnectionError):
                await stalled
    finally:
        await emulator.stop()
    assert emulator.stats.faults_injected == {"stall": 1}


async def test_stall_trips_a_client_timeout(api: Api) -> None:
    api.emulator.faults = Faults(stall=5.0, path_prefix="/v1/Services")
    timeout = aiohttp.ClientTimeout(total=0.2)
    with pytest.raises(asyncio.TimeoutError):
        await api.session.get(
            api.emulator.url + "/v1/Services", headers=api.headers, timeout=timeout
        )
    await api.ok("GET", "/v2/Services", 200)


async def test_fault_filter_by_method_and_path_prefix(api: Api) -> None:
    api.emulator.faults = Faults(rate_500=1.0, methods=frozenset({"post"}))
    await api.ok("GET", "/v1/Services", 200)
    assert (await api.call("POST", "/v2/Services", data={"FriendlyName": "x"})).status >= 500
    api.emulator.faults = attrs.evolve(api.emulator.faults, methods=None, path_prefix="/v2")
    await api.ok("POST", "/v1/Services", 201, data={"UniqueName": "ok"})
    assert (await api.call("GET", "/v2/Services")).status >= 500


async def test_same_seed_same_fault_sequence() -> None:
    sequences = []
    for _ in range(2):
        faults = Faults(rate_500=0.3, rate_429=0.3, seed=11)
        async with Emulator(faults=faults) as emulator, aiohttp.ClientSession() as session:
            sequences.append(await _statuses(Api(emulator, session), 30))
    assert sequences[0] == sequences[1]
    assert {200, 429} <= set(sequences[0]) and set(sequences[0]) & {500, 503}


def test_faults_validate_their_settings() -> None:
    with pytest.raises(ValueError, match="rate_500"):
        Faults(rate_500=1.5)
    with pytest.raises(ValueError, match="sum"):
        Faults(rate_500=0.6, rate_429=0.6)
    with pytest.raises(ValueError, match="concurrency_limit"):
        Faults(concurrency_limit=0)
    with pytest.raises(ValueError, match="latency"):
        Faults(latency=-1)
    assert Faults(methods=["get"]).methods == frozenset({"GET"})


async def test_every_request_is_recorded_as_received(api: Api) -> None:
    await api.call(
        "POST",
        "/v1/Services?Extra=a%20b",
        data=[("UniqueName", "rec"), ("DefaultTtl", "5"), ("UniqueName", "dup")],
    )
    await api.call("GET", "/v1/Nowhere")
    post, missing = api.emulator.requests
    assert (post.method, post.path, post.raw_query) == ("POST", "/v1/Services", "Extra=a%20b")
    assert post.query == (("Extra", "a b"),)
    assert post.form == (("UniqueName", "rec"), ("DefaultTtl", "5"), ("UniqueName", "dup"))
    assert "Authorization" not in post.headers
    assert post.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert (missing.method, missing.path, missing.form) == ("GET", "/v1/Nowhere", ())
    stats = api.emulator.stats
    assert stats.requests_total == 2
    assert stats.responses_by_status == {201: 1, 404: 1}
    assert api.emulator.snapshot()["services"][0]["unique_name"] == "rec"


async def test_stop_closes_idle_keep_alive_connections() -> None:
    async with Emulator() as emulator, aiohttp.ClientSession() as session:
        api = Api(emulator, session)
        await api.ok("GET", "/v1/Services", 200)
        await emulator.stop()
        with pytest.raises(aiohttp.ClientConnectionError):
            await api.call("GET", "/v1/Services")
        with pytest.raises(RuntimeError, match="once"):
            await emulator.start()


def test_emulator_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host="0.0.0.0")
