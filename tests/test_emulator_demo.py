"""Emulator demo seeding: determinism, counts, snapshot fidelity, large seeds."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
import attrs
import pytest
from emulator_http import Api, model_fields

from twilio_proxy_async.testing import DemoData, Emulator

SMALL = DemoData(
    services=2,
    phone_numbers_per_service=3,
    sessions_per_service=4,
    participants_per_session=2,
    interactions_per_session=3,
    chat_services=2,
    seed=7,
)


pytestmark = pytest.mark.twilio_emulator(demo=SMALL)


def _portable(emulator: Emulator) -> str:
    """The snapshot with the emulator's origin taken out: ports differ between runs."""
    return json.dumps(emulator.snapshot()).replace(emulator.url, "ORIGIN")


async def test_same_seed_gives_byte_identical_data() -> None:
    async with Emulator(demo=SMALL) as first, Emulator(demo=SMALL) as second:
        assert first.account_sid == second.account_sid
        assert _portable(first) == _portable(second)
    async with Emulator(demo=DemoData(seed=8)) as other:
        assert other.snapshot()["services"][0]["sid"] not in _portable(first)


async def test_counts_follow_the_demo_settings(api: Api) -> None:
    snapshot = api.emulator.snapshot()
    counts = {kind: len(records) for kind, records in snapshot.items()}
    # DemoData's counts are per Service, per Session or in all: "X_per_service" seeds X.
    sessions = SMALL.services * SMALL.sessions_per_service
    per = {"": 1, "service": SMALL.services, "session": sessions}
    expected = {}
    for field in attrs.fields(DemoData):
        if field.name != "seed":
            kind, _, unit = field.name.partition("_per_")
            expected[kind] = getattr(SMALL, field.name) * per[unit]
    assert counts == expected
    in_use = {n["sid"]: n["in_use"] for n in snapshot["phone_numbers"]}
    for participant in snapshot["participants"]:
        assert participant["proxy_identifier_sid"] in in_use
    assert sum(in_use.values()) == len(snapshot["participants"])
    assert all(s["status"] == "in-progress" for s in snapshot["sessions"])


async def test_snapshot_is_exactly_what_the_lists_return(api: Api) -> None:
    snapshot = api.emulator.snapshot()
    assert await api.walk("/v1/Services", 1) == snapshot["services"]
    assert await api.walk("/v2/Services", 1) == snapshot["chat_services"]
    numbers: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    participants: list[dict[str, Any]] = []
    interactions: list[dict[str, Any]] = []
    for service in snapshot["services"]:
        ks = f"/v1/Services/{service['sid']}"
        numbers += await api.walk(f"{ks}/PhoneNumbers", 2)
        for session in await api.walk(f"{ks}/Sessions", 3):
            sessions.append(session)
            kc = f"{ks}/Sessions/{session['sid']}"
            participants += await api.walk(f"{kc}/Participants", 50)
            interactions += await api.walk(f"{kc}/Interactions", 2)
    assert numbers == snapshot["phone_numbers"]
    assert sessions == snapshot["sessions"]
    assert participants == snapshot["participants"]
    assert interactions == snapshot["interactions"]
    assert set(sessions[0]) == model_fields("sessions")
    assert set(participants[0]) == model_fields("participants")


async def test_seeded_sessions_accept_new_children_after_their_own(api: Api) -> None:
    snapshot = api.emulator.snapshot()
    service, session = snapshot["services"][0], snapshot["sessions"][0]
    kc = f"/v1/Services/{service['sid']}/Sessions/{session['sid']}"
    participant = (await api.ok("GET", f"{kc}/Participants", 200))["participants"][0]
    messages = f"{kc}/Participants/{participant['sid']}/MessageInteractions"
    seeded = (await api.ok("GET", messages, 200))["interactions"]
    created = await api.ok("POST", messages, 200, data={"Body": "later"})
    assert await api.walk(messages, 1) == [*seeded, created]
    await api.error("POST", f"{kc}/Participants", 400, data={"Identifier": "+15550009999"})


async def test_seeded_session_fetch_by_unique_name(api: Api) -> None:
    session = api.emulator.snapshot()["sessions"][-1]
    name = session["unique_name"]
    fetched = await api.ok("GET", f"/v1/Services/{session['service_sid']}/Sessions/{name}", 200)
    assert fetched == session


def test_demo_data_validates_its_settings() -> None:
    with pytest.raises(ValueError, match="participants_per_session"):
        DemoData(participants_per_session=3)
    with pytest.raises(ValueError, match="services"):
        DemoData(services=-1)
    with pytest.raises(ValueError, match="phone_numbers"):
        DemoData(phone_numbers_per_service=0)
    with pytest.raises(ValueError, match="interactions"):
        DemoData(participants_per_session=0)
    assert DemoData(participants_per_session=0, interactions_per_session=0)


async def test_two_hundred_thousand_sessions_seed_and_page_fast() -> None:
    demo = DemoData(services=1, sessions_per_service=200_000)
    started = time.perf_counter()
    async with Emulator(demo=demo) as emulator, aiohttp.ClientSession() as session:
        seeded = time.perf_counter() - started
        api = Api(emulator, session)
        service = (await api.ok("GET", "/v1/Services", 200))["services"][0]["sid"]
        path = f"/v1/Services/{service}/Sessions?PageSize=1000"
        started = time.perf_counter()
        page = await api.ok("GET", path, 200)
        first_page = time.perf_counter() - started
        assert len(page["sessions"]) == 1000
        assert page["meta"]["next_page_url"] is not None
    assert seeded < 8.0
    assert first_page < 2.0
