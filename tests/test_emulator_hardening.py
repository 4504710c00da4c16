"""The emulator on a shared machine: what it keeps, and hostile input getting Twilio's 4xx."""

from __future__ import annotations

import base64
import json

import aiohttp
import pytest
from emulator_http import Api
from emulator_support import client_for
from yarl import URL

from twilio_proxy_async import Client, NotFoundError
from twilio_proxy_async.testing import Emulator, RecordedRequest, RequestLog

NESTED = "[" * 100_000 + "]" * 100_000


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- recorded requests (issue #11 item 10) -----------------------------------------------


async def test_nothing_is_recorded_unless_asked(api: Api) -> None:
    await api.ok("POST", "/v1/Services", 201, data={"UniqueName": "quiet"})
    assert api.emulator._log is None
    with pytest.raises(RuntimeError, match="record_requests=True"):
        _ = api.emulator.requests


async def test_unauthenticated_requests_are_neither_read_nor_recorded() -> None:
    big = {"UniqueName": "x" * 500_000}
    async with Emulator(record_requests=True) as emu, aiohttp.ClientSession() as session:
        api = Api(emu, session)
        for _ in range(20):
            assert await api.error("POST", "/v1/Services", 401, data=big, auth=("AC1", "no")) == (
                20003
            )
        assert len(emu.requests) == 0
        assert emu.stats.responses_by_status == {401: 20}
        await api.ok("GET", "/v1/Services", 200)
        assert [r.path for r in emu.requests] == ["/v1/Services"]


async def test_recorded_requests_hold_no_credentials() -> None:
    async with Emulator(record_requests=True) as emu, aiohttp.ClientSession() as session:
        api = Api(emu, session)
        await api.ok("GET", "/v1/Services", 200)
        await api.ok("GET", "/v1/Services", 200, auth=(emu.api_key, emu.api_secret))
        for recorded in emu.requests:
            assert {name.lower() for name in recorded.headers}.isdisjoint(
                {"authorization", "cookie", "proxy-authorization"}
            )
        text = repr(emu.requests)
        for secret in (emu.auth_token, emu.api_secret):
            assert secret not in text
            assert base64.b64encode(secret.encode()).decode()[:12] not in text


async def test_the_log_keeps_only_the_most_recent_requests() -> None:
    async with Emulator(record_requests=3) as emu, aiohttp.ClientSession() as session:
        api = Api(emu, session)
        for page_size in range(1, 6):
            await api.ok("GET", f"/v1/Services?PageSize={page_size}", 200)
        assert [r.raw_query for r in emu.requests] == [f"PageSize={n}" for n in (3, 4, 5)]
        assert emu.requests.dropped == 2
        assert emu.requests[-1].raw_query == "PageSize=5"
        assert [r.raw_query for r in emu.requests[1:]] == ["PageSize=4", "PageSize=5"]


def recorded(body: str) -> RecordedRequest:
    return RecordedRequest("POST", "/v1/Services", (), "", (("UniqueName", body),), {})


def test_the_log_is_bounded_in_bytes_too() -> None:
    log = RequestLog(max_requests=100, max_bytes=2_500)
    for _ in range(10):
        log.append(recorded("x" * 1_000))
    assert len(log) == 2
    assert log.dropped == 8
    log.append(recorded("y" * 10_000))
    assert [r.form[0][1][0] for r in log] == ["y"], "one oversized request is still kept"


@pytest.mark.parametrize("setting", [-1, -100])
def test_a_negative_log_size_is_refused(setting: int) -> None:
    with pytest.raises(ValueError, match="record_requests"):
        Emulator(record_requests=setting)


# --- bad credentials and bad input (issue #11 item 11) -----------------------------------


async def send(api: Api, authorization: str) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": authorization}
    async with api.session.get(api.emulator.url + "/v1/Services", headers=headers) as response:
        return response.status, await response.json()


@pytest.mark.parametrize(
    "password", ["pässwörd", "密码", "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")]
)
async def test_a_non_ascii_password_is_401(api: Api, password: str) -> None:
    status, body = await send(api, basic(api.emulator.account_sid, password))
    assert (status, body["code"]) == (401, 20003)


async def test_undecodable_basic_credentials_are_401(api: Api) -> None:
    raw = base64.b64encode(api.emulator.account_sid.encode() + b":\xff\xfe").decode()
    for header in (f"Basic {raw}", "Basic not base64!", "Bearer abc", "Basic"):
        status, body = await send(api, header)
        assert (status, body["code"]) == (401, 20003)


async def test_an_emulator_started_with_a_non_ascii_token_serves() -> None:
    token = "jéton-ünïcode-令牌"
    async with Emulator(auth_token=token) as emu, aiohttp.ClientSession() as session:
        api = Api(emu, session)
        assert (await send(api, basic(emu.account_sid, token)))[0] == 200
        assert (await send(api, basic(emu.account_sid, "jeton")))[0] == 401
        assert (await send(api, basic(emu.api_key, emu.api_secret)))[0] == 200


@pytest.mark.parametrize(
    "date_expiry",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:30:00+01:00", "tomorrow", "2025-13-01T00:00:00Z"],
)
async def test_date_expiry_out_of_range_is_400(api: Api, date_expiry: str) -> None:
    service = await api.service()
    sessions = f"/v1/Services/{service['sid']}/Sessions"
    form = {"DateExpiry": date_expiry}
    assert await api.error("POST", sessions, 400, data=form) == 20001
    session = await api.ok("POST", sessions, 201)
    assert await api.error("POST", f"{sessions}/{session['sid']}", 400, data=form) == 20001
    assert (await api.ok("GET", f"{sessions}/{session['sid']}", 200))["date_expiry"] is None


@pytest.mark.parametrize(
    ("given", "answered"),
    [
        ("9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59Z"),
        ("0001-01-01T02:30:00+01:00", "0001-01-01T01:30:00Z"),
        ("2030-06-01T12:00:00.750-02:00", "2030-06-01T14:00:00Z"),
    ],
)
async def test_date_expiry_at_the_edges_is_answered_in_twilio_format(
    api: Api, given: str, answered: str
) -> None:
    service = await api.service()
    session = await api.ok(
        "POST", f"/v1/Services/{service['sid']}/Sessions", 201, data={"DateExpiry": given}
    )
    assert session["date_expiry"] == answered


@pytest.mark.parametrize(
    "participant",
    [NESTED, '{"Identifier": ' + NESTED + "}", "[]", "not json", '"+15550001111"'],
)
async def test_hostile_participants_values_are_400(api: Api, participant: str) -> None:
    service = await api.service()
    sessions = f"/v1/Services/{service['sid']}/Sessions"
    assert await api.error("POST", sessions, 400, data={"Participants": participant}) == 20001
    assert (await api.ok("GET", sessions, 200))["sessions"] == []


@pytest.mark.parametrize("ttl", ["²", "1_000", " 5", "2147483648", "9" * 5_000, "٣"])
async def test_integers_are_ascii_digits_within_32_bits(api: Api, ttl: str) -> None:
    assert await api.error("POST", "/v1/Services", 400, data={"UniqueName": "t", "DefaultTtl": ttl})
    created = await api.ok(
        "POST", "/v1/Services", 201, data={"UniqueName": "t", "DefaultTtl": "2147483647"}
    )
    assert created["default_ttl"] == 2_147_483_647


@pytest.mark.parametrize("name", ["line\nbreak", "tab\there", "cr\r\nlf", "nul\x00byte"])
async def test_unique_names_with_control_characters_can_be_fetched(name: str) -> None:
    """The spec sets no character rule on UniqueName (191 characters, unique), and Twilio
    fetches by it as a percent-encoded path segment: what can be created can be fetched."""
    async with Emulator() as emu, client_for(emu) as client:
        service = await client.proxy.services.create(unique_name=name)
        assert (await client.proxy.services.fetch(name)).sid == service.sid
        session = await client.proxy.sessions.create(service.sid, unique_name=name)
        assert (await client.proxy.sessions.fetch(service.sid, name)).sid == session.sid
        with pytest.raises(NotFoundError):
            await client.proxy.services.fetch(name + "\n")


# --- next-page URLs on the origin the client used (issue #11 item 12) --------------------


async def test_next_page_urls_name_the_host_the_client_used() -> None:
    async with Emulator() as emu:
        localhost = emu.url.replace("127.0.0.1", "localhost")
        async with aiohttp.ClientSession() as session:
            api = Api(emu, session)
            for name in ("a", "b", "c"):
                await api.ok("POST", "/v1/Services", 201, data={"UniqueName": name})
            page = await api.ok("GET", URL(f"{localhost}/v1/Services?PageSize=2"), 200)
            meta = page["meta"]
            for key in ("url", "first_page_url", "next_page_url"):
                assert meta[key].startswith(f"{localhost}/v1/Services?PageSize=2&Page="), key
            second = await api.ok("GET", URL(meta["next_page_url"], encoded=True), 200)
            assert second["meta"]["previous_page_url"].startswith(localhost)
            assert [s["unique_name"] for s in page["services"] + second["services"]] == list("abc")
            direct = await api.ok("GET", "/v1/Services?PageSize=2", 200)
            assert direct["meta"]["next_page_url"].startswith(emu.url)


async def test_the_sdk_pages_through_an_emulator_reached_as_localhost() -> None:
    async with Emulator() as emu:
        async with client_for(emu) as client:
            for index in range(5):
                await client.proxy.services.create(unique_name=f"svc-{index}")
        localhost = emu.url.replace("127.0.0.1", "localhost")
        async with Client(emu.account_sid, emu.auth_token, base_url=localhost) as client:
            names = [s.unique_name async for s in client.proxy.services.list(page_size=2)]
        assert names == [f"svc-{index}" for index in range(5)]


@pytest.mark.parametrize("host", ["evil.example/../x", "a b", "", "[::1"])
async def test_an_unusable_host_header_falls_back_to_the_bound_address(api: Api, host: str) -> None:
    await api.ok("POST", "/v1/Services", 201, data={"UniqueName": "one"})
    await api.ok("POST", "/v1/Services", 201, data={"UniqueName": "two"})
    headers = {"Authorization": api.headers["Authorization"], "Host": host}
    async with api.session.get(
        api.emulator.url + "/v1/Services?PageSize=1", headers=headers
    ) as response:
        assert response.status == 200
        body = json.loads(await response.read())
    assert body["meta"]["next_page_url"].startswith(api.emulator.url + "/v1/Services?")


@pytest.mark.parametrize(
    "body",
    [b"UniqueName=caf%E9", b"UniqueName=caf\xe9", b"UniqueName=ok&FriendlyName=%FF%FE"],
    ids=["percent-encoded-latin-1", "raw-latin-1", "a-second-field"],
)
async def test_a_form_body_that_is_not_utf_8_is_400(api: Api, body: bytes) -> None:
    headers = {**api.headers, "Content-Type": "application/x-www-form-urlencoded"}
    url = api.emulator.url + "/v1/Services"
    async with api.session.post(url, data=body, headers=headers) as response:
        assert response.status == 400
        error = await response.json()
    assert (error["code"], error["message"]) == (
        20001,
        "The request body is not UTF-8 (raw or percent-encoded)",
    )
    assert api.emulator.snapshot()["services"] == []


@pytest.mark.parametrize("body", [b"UniqueName=caf%C3%A9", "UniqueName=café".encode()])
async def test_a_utf_8_form_body_keeps_its_text(api: Api, body: bytes) -> None:
    headers = {**api.headers, "Content-Type": "application/x-www-form-urlencoded"}
    url = api.emulator.url + "/v1/Services"
    async with api.session.post(url, data=body, headers=headers) as response:
        assert response.status == 201
        assert (await response.json())["unique_name"] == "café"
