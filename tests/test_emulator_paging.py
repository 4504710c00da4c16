"""Emulator list pages: opaque percent-encoded tokens, stability under churn, limits."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_http import META_KEYS, Api
from yarl import URL

pytestmark = pytest.mark.twilio_emulator(record_requests=True)


async def _services(api: Api, count: int) -> list[str]:
    return [
        (await api.ok("POST", "/v1/Services", 201, data={"UniqueName": f"s{i:02d}"}))["sid"]
        for i in range(count)
    ]


async def test_next_page_url_followed_verbatim_walks_every_record(api: Api) -> None:
    sids = await _services(api, 7)
    first = await api.ok("GET", "/v1/Services?PageSize=3", 200)
    meta = first["meta"]
    assert set(meta) == META_KEYS
    assert meta["key"] == "services" and (meta["page"], meta["page_size"]) == (0, 3)
    assert meta["first_page_url"] == f"{api.emulator.url}/v1/Services?PageSize=3&Page=0"
    assert meta["url"] == meta["first_page_url"] and meta["previous_page_url"] is None
    next_url = meta["next_page_url"]
    assert next_url.startswith(f"{api.emulator.url}/v1/Services?PageSize=3&Page=1&PageToken=PA")
    assert next_url.endswith("%3D%3D")

    second = await api.ok("GET", URL(next_url, encoded=True), 200)
    assert second["meta"]["page"] == 1 and second["meta"]["url"] == next_url
    recorded = api.emulator.requests[-1]
    assert recorded.raw_query == next_url.partition("?")[2]
    token = dict(recorded.query)["PageToken"]
    assert token.endswith("==") and "%" not in token

    walked = await api.walk("/v1/Services", 3)
    assert [s["sid"] for s in walked] == sids
    assert [s["sid"] for s in first["services"] + second["services"]] == sids[:6]

    previous = await api.ok("GET", URL(second["meta"]["previous_page_url"], encoded=True), 200)
    assert previous["services"] == first["services"]
    assert previous["meta"]["page"] == 0


async def test_requoted_tampered_and_foreign_tokens_are_400(api: Api) -> None:
    services = await _services(api, 3)
    next_url = (await api.ok("GET", "/v1/Services?PageSize=1", 200))["meta"]["next_page_url"]
    requoted = next_url.replace("%3D", "%253D")
    assert await api.error("GET", URL(requoted, encoded=True), 400) == 20001

    base, _, token = next_url.partition("PageToken=")
    flipped = token[:5] + ("B" if token[5] != "B" else "C") + token[6:]
    await api.error("GET", URL(base + "PageToken=" + flipped, encoded=True), 400)
    for garbage in ("", "PA", "garbage", "PAAAAA%3D", "PZ" + token[2:]):
        await api.error("GET", URL(base + "PageToken=" + garbage, encoded=True), 400)

    await api.ok(
        "POST", f"/v1/Services/{services[0]}/PhoneNumbers", 201, data={"Sid": "PN" + "a" * 32}
    )
    foreign = f"/v1/Services/{services[0]}/PhoneNumbers?PageSize=1&PageToken={token}"
    await api.error("GET", URL(api.emulator.url + foreign, encoded=True), 400)


async def test_pages_stay_stable_while_records_come_and_go(api: Api) -> None:
    service = (await api.ok("POST", "/v1/Services", 201, data={"UniqueName": "churn"}))["sid"]
    sessions = f"/v1/Services/{service}/Sessions"
    sids = [(await api.ok("POST", sessions, 201, data={}))["sid"] for _ in range(10)]
    first = await api.ok("GET", f"{sessions}?PageSize=4", 200)
    assert [s["sid"] for s in first["sessions"]] == sids[:4]

    await api.ok("DELETE", f"{sessions}/{sids[3]}", 204)
    await api.ok("DELETE", f"{sessions}/{sids[4]}", 204)
    await api.ok("DELETE", f"{sessions}/{sids[0]}", 204)
    added = [(await api.ok("POST", sessions, 201, data={}))["sid"] for _ in range(2)]

    rest: list[dict[str, Any]] = []
    next_url = first["meta"]["next_page_url"]
    while next_url is not None:
        page = await api.ok("GET", URL(next_url, encoded=True), 200)
        rest.extend(page["sessions"])
        next_url = page["meta"]["next_page_url"]
    assert [s["sid"] for s in rest] == sids[5:] + added


async def test_page_size_bounds_per_product(api: Api) -> None:
    await _services(api, 2)
    for size in ("0", "1001", "-1", "many"):
        assert await api.error("GET", "/v1/Services", 400, params={"PageSize": size}) == 20001
    await api.error("GET", "/v1/Services", 400, params={"Page": "-1"})
    page = await api.ok("GET", "/v1/Services", 200, params={"PageSize": "1000", "Page": "4"})
    assert (page["meta"]["page_size"], page["meta"]["page"]) == (1000, 4)
    assert len(page["services"]) == 2 and page["meta"]["next_page_url"] is None
    assert (await api.ok("GET", "/v1/Services", 200))["meta"]["page_size"] == 50

    await api.error("GET", "/v2/Services", 400, params={"PageSize": "101"})
    chat = await api.ok("GET", "/v2/Services", 200, params={"PageSize": "100"})
    assert chat["meta"]["key"] == "services" and chat["services"] == []


async def test_every_list_pages_through_the_same_machinery(api: Api) -> None:
    service = await api.service("lists", numbers=3)
    ks = f"/v1/Services/{service['sid']}"
    session = await api.ok("POST", f"{ks}/Sessions", 201, data={})
    kc = f"{ks}/Sessions/{session['sid']}"
    for identifier in ("+15550000001", "+15550000002"):
        await api.ok("POST", f"{kc}/Participants", 201, data={"Identifier": identifier})
    participant = (await api.ok("GET", f"{kc}/Participants", 200))["participants"][0]
    kp = f"{kc}/Participants/{participant['sid']}"
    for index in range(3):
        await api.ok("POST", f"{kp}/MessageInteractions", 200, data={"Body": f"m{index}"})
    for _ in range(2):
        await api.ok("POST", "/v2/Services", 201, data={"FriendlyName": "c"})
    expected = {
        f"{ks}/PhoneNumbers": 3,
        f"{kc}/Participants": 2,
        f"{kc}/Interactions": 3,
        f"{kp}/MessageInteractions": 3,
        "/v2/Services": 2,
    }
    for path, count in expected.items():
        assert len(await api.walk(path, 1)) == count, path
