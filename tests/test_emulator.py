"""The emulator over real HTTP on 127.0.0.1, driven by a plain aiohttp client."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from emulator_http import META_KEYS, Api, World, model_fields, participant_json

from twilio_proxy_async._table import COLLECTIONS, Operation
from twilio_proxy_async.testing import Emulator


async def test_credentials_are_generated_in_twilio_shapes(emu: Emulator) -> None:
    assert re.fullmatch(r"AC[0-9a-f]{32}", emu.account_sid)
    assert re.fullmatch(r"[0-9a-f]{32}", emu.auth_token)
    assert re.fullmatch(r"SK[0-9a-f]{32}", emu.api_key)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.url)


async def test_auth_token_and_api_key_are_both_accepted(api: Api) -> None:
    emulator = api.emulator
    await api.ok("GET", "/v1/Services", 200)
    await api.ok("GET", "/v1/Services", 200, auth=(emulator.api_key, emulator.api_secret))


@pytest.mark.parametrize(
    "credentials", ["missing", "wrong-token", "key-with-token", "sid-with-secret"]
)
async def test_bad_credentials_get_twilio_401(api: Api, credentials: str) -> None:
    emulator = api.emulator
    if credentials == "missing":
        async with api.session.get(emulator.url + "/v1/Services") as response:
            assert response.status == 401
            body = await response.json()
    else:
        auth = {
            "wrong-token": (emulator.account_sid, "0" * 32),
            "key-with-token": (emulator.api_key, emulator.auth_token),
            "sid-with-secret": (emulator.account_sid, emulator.api_secret),
        }[credentials]
        response_ = await api.call("GET", "/v1/Services", auth=auth)
        assert response_.status == 401
        body = response_.json
    assert body == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


async def test_every_response_carries_a_request_id_and_json_type(api: Api) -> None:
    for path in ("/v1/Services", "/v1/Nowhere", "/v2/Services"):
        response = await api.call("GET", path)
        assert re.fullmatch(r"RQ[0-9a-f]{32}", response.headers["Twilio-Request-Id"])
        assert response.headers["Content-Type"].startswith("application/json")


async def test_unknown_routes_and_malformed_sids_are_404(api: Api) -> None:
    assert await api.error("GET", "/v1/Nowhere", 404) == 20404
    assert await api.error("GET", "/v1/Services/KSnothex/Sessions", 404) == 20404
    assert await api.error("DELETE", "/v1/Services/not-a-sid", 404) == 20404
    missing = "KS" + "0" * 32
    response = await api.call("GET", f"/v1/Services/{missing}")
    # Twilio names the resource without the API version.
    assert response.json["message"] == f"The requested resource /Services/{missing} was not found"
    assert await api.error("DELETE", "/v1/Services", 405) == 20004


async def test_service_lifecycle_matches_the_spec(api: Api) -> None:
    fields = model_fields("services")
    created = await api.ok(
        "POST",
        "/v1/Services",
        201,
        data={"UniqueName": "orders", "DefaultTtl": "60", "GeoMatchLevel": "area-code"},
    )
    assert set(created) == fields
    assert re.fullmatch(r"KS[0-9a-f]{32}", created["sid"])
    assert created["account_sid"] == api.emulator.account_sid
    assert created["url"] == f"{api.emulator.url}/v1/Services/{created['sid']}"
    assert created["links"]["sessions"] == created["url"] + "/Sessions"
    assert (created["default_ttl"], created["geo_match_level"]) == (60, "area-code")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["date_created"])

    by_name = await api.ok("GET", "/v1/Services/orders", 200)
    assert by_name == created == await api.ok("GET", f"/v1/Services/{created['sid']}", 200)

    updated = await api.ok(
        "POST",
        f"/v1/Services/{created['sid']}",
        200,
        data={"UniqueName": "orders-v2", "NumberSelectionBehavior": "avoid-sticky"},
    )
    assert updated["unique_name"] == "orders-v2"
    assert updated["number_selection_behavior"] == "avoid-sticky"
    assert updated["date_updated"] > created["date_updated"]
    assert updated["date_created"] == created["date_created"]
    await api.error("GET", "/v1/Services/orders", 404)

    listed = await api.ok("GET", "/v1/Services", 200)
    assert set(listed) == {"services", "meta"}
    assert set(listed["meta"]) == META_KEYS
    assert listed["services"] == [updated]

    response = await api.call("DELETE", f"/v1/Services/{created['sid']}")
    assert (response.status, response.body) == (204, b"")
    await api.error("GET", f"/v1/Services/{created['sid']}", 404)


async def test_invalid_parameters_are_400_and_extra_query_is_ignored(api: Api) -> None:
    assert await api.error("POST", "/v1/Services", 400, data={}) == 20001
    bad_forms = [
        {"UniqueName": "a", "GeoMatchLevel": "planet"},
        {"UniqueName": "a", "DefaultTtl": "soon"},
        {"UniqueName": "a", "ChatInstanceSid": "IS123"},
        {"UniqueName": "x" * 192},
    ]
    for form in bad_forms:
        assert await api.error("POST", "/v1/Services", 400, data=form) == 20001
    assert (await api.ok("GET", "/v1/Services", 200))["services"] == []
    await api.ok("GET", "/v1/Services", 200, params={"Foo": "bar", "Status": "x"})


async def test_unique_names_conflict_within_their_scope(api: Api) -> None:
    first = await api.service("alpha", numbers=0)
    second = await api.service("beta", numbers=0)
    await api.error("POST", "/v1/Services", 409, data={"UniqueName": "alpha"})
    await api.error("POST", f"/v1/Services/{second['sid']}", 409, data={"UniqueName": "alpha"})
    for service in (first, second):
        await api.ok(
            "POST", f"/v1/Services/{service['sid']}/Sessions", 201, data={"UniqueName": "o-1"}
        )
    code = await api.error(
        "POST", f"/v1/Services/{first['sid']}/Sessions", 409, data={"UniqueName": "o-1"}
    )
    assert code == 80603


async def test_phone_numbers_by_sid_or_number(api: Api) -> None:
    fields = model_fields("phone_numbers")
    service = await api.service("pn", numbers=0)
    path = f"/v1/Services/{service['sid']}/PhoneNumbers"
    by_number = await api.ok("POST", path, 201, data={"PhoneNumber": "+14155550100"})
    assert set(by_number) == fields
    assert re.fullmatch(r"PN[0-9a-f]{32}", by_number["sid"])
    assert (by_number["phone_number"], by_number["iso_country"]) == ("+14155550100", "US")
    assert (by_number["is_reserved"], by_number["in_use"]) == (False, 0)
    # Twilio's own answers carry these keys, not the spec's fax/mms/sms/voice.
    assert by_number["capabilities"] == {"sms_outbound": True, "voice_inbound": True}

    pn_sid = "PN" + "1" * 32
    by_sid = await api.ok("POST", path, 201, data={"Sid": pn_sid, "IsReserved": "true"})
    assert by_sid["sid"] == pn_sid and by_sid["is_reserved"] is True
    assert re.fullmatch(r"\+1\d{10}", by_sid["phone_number"])

    await api.error("POST", path, 400, data={})
    await api.error("POST", path, 400, data={"PhoneNumber": "415-555"})
    await api.error("POST", path, 400, data={"Sid": pn_sid[:-1]})
    await api.error("POST", path, 400, data={"PhoneNumber": "+14155550101", "IsReserved": "1"})

    updated = await api.ok("POST", f"{path}/{pn_sid}", 200, data={"IsReserved": "false"})
    assert updated["is_reserved"] is False
    assert await api.ok("GET", f"{path}/{pn_sid}", 200) == updated

    other = await api.service("pn-other", numbers=0)
    other_path = f"/v1/Services/{other['sid']}/PhoneNumbers"
    await api.error("POST", other_path, 409, data={"PhoneNumber": "+14155550100"})
    await api.error("POST", other_path, 409, data={"Sid": by_number["sid"]})
    response = await api.call("DELETE", f"{path}/{by_number['sid']}")
    assert (response.status, response.body) == (204, b"")
    moved = await api.ok("POST", other_path, 201, data={"Sid": by_number["sid"]})
    assert moved["phone_number"] == "+14155550100"


async def test_session_with_participants_from_json_form_values(api: Api) -> None:
    session_fields = model_fields("sessions")
    participant_fields = model_fields("participants")
    service = await api.service("sessions")
    sessions = f"/v1/Services/{service['sid']}/Sessions"
    session = await api.ok(
        "POST",
        sessions,
        201,
        data=[
            ("UniqueName", "Order #1234"),
            ("Mode", "message-only"),
            ("Ttl", "600"),
            ("DateExpiry", "2030-01-02T03:04:05+01:00"),
            ("Participants", participant_json("+15550000001", FriendlyName="Alice")),
            ("Participants", json.dumps({"identifier": "+15550000002"})),
        ],
    )
    assert set(session) == session_fields
    assert (session["mode"], session["ttl"], session["status"]) == ("message-only", 600, "open")
    assert session["date_expiry"] == "2030-01-02T02:04:05Z"
    assert session["links"]["participants"] == session["url"] + "/Participants"

    by_name = await api.ok("GET", f"{sessions}/Order%20%231234", 200)
    assert by_name == session

    participants = (await api.ok("GET", f"{sessions}/{session['sid']}/Participants", 200))[
        "participants"
    ]
    assert [p["identifier"] for p in participants] == ["+15550000001", "+15550000002"]
    numbers = (await api.ok("GET", f"/v1/Services/{service['sid']}/PhoneNumbers", 200))[
        "phone_numbers"
    ]
    pool = {n["sid"]: n["phone_number"] for n in numbers}
    for participant in participants:
        assert set(participant) == participant_fields
        assert pool[participant["proxy_identifier_sid"]] == participant["proxy_identifier"]
        assert participant["links"]["message_interactions"] == (
            participant["url"] + "/MessageInteractions"
        )
    assert participants[0]["friendly_name"] == "Alice"
    assert sorted(n["in_use"] for n in numbers) == [1, 1]

    closed = await api.ok(
        "POST", f"{sessions}/{session['sid']}", 200, data={"Status": "closed", "Ttl": "0"}
    )
    assert closed["status"] == "closed" and closed["date_ended"] is not None
    assert closed["ttl"] == 0


async def test_session_and_participant_validation(api: Api) -> None:
    service = await api.service("validation", numbers=1)
    sessions = f"/v1/Services/{service['sid']}/Sessions"
    for form in (
        {"Mode": "video"},
        {"Status": "sleeping"},
        {"Ttl": "-1"},
        {"DateExpiry": "tomorrow"},
        {"Participants": "not json"},
        {"Participants": json.dumps({"FriendlyName": "no identifier"})},
    ):
        assert await api.error("POST", sessions, 400, data=form) == 20001
    three = [("Participants", participant_json(f"+1555000000{i}")) for i in range(3)]
    await api.error("POST", sessions, 400, data=three)
    assert (await api.ok("GET", sessions, 200))["sessions"] == []

    session = await api.ok("POST", sessions, 201, data={})
    participants = f"{sessions}/{session['sid']}/Participants"
    await api.error("POST", participants, 400, data={})
    await api.error(
        "POST", participants, 400, data={"Identifier": "+1", "ProxyIdentifierSid": "PN" + "9" * 32}
    )
    await api.ok("POST", participants, 201, data={"Identifier": "+15550000001"})
    assert await api.error("POST", participants, 409, data={"Identifier": "+15550000001"}) == 80103

    bare = await api.service("no-numbers", numbers=0)
    bare_session = await api.ok("POST", f"/v1/Services/{bare['sid']}/Sessions", 201)
    await api.error(
        "POST",
        f"/v1/Services/{bare['sid']}/Sessions/{bare_session['sid']}/Participants",
        400,
        data={"Identifier": "+15550000001"},
    )


async def test_message_interactions_show_up_in_both_lists(api: Api) -> None:
    message_fields = model_fields("message_interactions")
    interaction_fields = model_fields("interactions")
    service = await api.service("messages")
    session = await api.ok("POST", f"/v1/Services/{service['sid']}/Sessions", 201)
    session_path = f"/v1/Services/{service['sid']}/Sessions/{session['sid']}"
    participant = await api.ok(
        "POST", f"{session_path}/Participants", 201, data={"Identifier": "+15550000001"}
    )
    messages = f"{session_path}/Participants/{participant['sid']}/MessageInteractions"
    await api.error("POST", messages, 400, data={})
    created = await api.ok(
        "POST",
        messages,
        200,
        data=[("Body", "hello"), ("MediaUrl", "https://e.x/a.png"), ("MediaUrl", "https://e.x/b")],
    )
    assert set(created) == message_fields
    assert re.fullmatch(r"KI[0-9a-f]{32}", created["sid"])
    assert json.loads(created["data"])["body"] == "hello"
    assert (created["type"], created["participant_sid"]) == ("message", participant["sid"])
    assert created["outbound_participant_sid"] == participant["sid"]
    assert created["url"] == f"{api.emulator.url}{messages}/{created['sid']}"

    listed = await api.ok("GET", messages, 200)
    assert listed["meta"]["key"] == "interactions"
    assert listed["interactions"] == [created]
    assert await api.ok("GET", f"{messages}/{created['sid']}", 200) == created

    interactions = await api.ok("GET", f"{session_path}/Interactions", 200)
    (interaction,) = interactions["interactions"]
    assert set(interaction) == interaction_fields
    assert interaction["sid"] == created["sid"]
    assert interaction == await api.ok("GET", f"{session_path}/Interactions/{created['sid']}", 200)
    touched = await api.ok("GET", session_path, 200)
    assert touched["date_last_interaction"] == created["date_created"]
    assert touched["status"] == "in-progress"

    response = await api.call("DELETE", f"{session_path}/Interactions/{created['sid']}")
    assert (response.status, response.body) == (204, b"")
    assert (await api.ok("GET", messages, 200))["interactions"] == []
    await api.error("GET", f"{messages}/{created['sid']}", 404)


async def test_delete_participant_is_a_soft_delete_answered_200_with_empty_body(api: Api) -> None:
    service = await api.service("del-participant", numbers=1)
    session = await api.ok(
        "POST",
        f"/v1/Services/{service['sid']}/Sessions",
        201,
        data={"Participants": participant_json("+15550000001")},
    )
    participants = f"/v1/Services/{service['sid']}/Sessions/{session['sid']}/Participants"
    (participant,) = (await api.ok("GET", participants, 200))["participants"]
    assert participant["date_deleted"] is None
    response = await api.call("DELETE", f"{participants}/{participant['sid']}")
    assert (response.status, response.body) == (200, b"")
    # The spec: it stays associated with the session and cannot be re-added.
    removed = await api.ok("GET", f"{participants}/{participant['sid']}", 200)
    assert removed["date_deleted"] is not None
    assert removed["date_updated"] > participant["date_updated"]
    assert (await api.ok("GET", participants, 200))["participants"] == [removed]
    again = {"Identifier": "+15550000001"}
    assert await api.error("POST", participants, 409, data=again) == 80103
    response = await api.call("DELETE", f"{participants}/{participant['sid']}")
    assert response.status == 200
    assert await api.ok("GET", f"{participants}/{participant['sid']}", 200) == removed
    numbers = await api.ok("GET", f"/v1/Services/{service['sid']}/PhoneNumbers", 200)
    assert numbers["phone_numbers"][0]["in_use"] == 0
    # A removed participant no longer counts towards the two a session may hold.
    for identifier in ("+15550000002", "+15550000003"):
        await api.ok("POST", participants, 201, data={"Identifier": identifier})
    assert await api.error("POST", participants, 400, data={"Identifier": "+15550000004"})
    await api.ok("DELETE", f"/v1/Services/{service['sid']}/Sessions/{session['sid']}", 204)
    numbers = await api.ok("GET", f"/v1/Services/{service['sid']}/PhoneNumbers", 200)
    assert numbers["phone_numbers"][0]["in_use"] == 0


async def _populated(api: Api, name: str) -> tuple[dict[str, Any], str]:
    service = await api.service(name)
    session = await api.ok(
        "POST",
        f"/v1/Services/{service['sid']}/Sessions",
        201,
        data=[("Participants", participant_json(f"+1555000000{i}")) for i in range(2)],
    )
    session_path = f"/v1/Services/{service['sid']}/Sessions/{session['sid']}"
    participants = (await api.ok("GET", f"{session_path}/Participants", 200))["participants"]
    for participant in participants:
        await api.ok(
            "POST",
            f"{session_path}/Participants/{participant['sid']}/MessageInteractions",
            200,
            data={"Body": "hi"},
        )
    return service, session_path


async def test_deleting_a_session_removes_its_children(api: Api) -> None:
    _, session_path = await _populated(api, "cascade-session")
    assert len(api.emulator.snapshot()["interactions"]) == 2
    await api.ok("DELETE", session_path, 204)
    await api.error("GET", f"{session_path}/Participants", 404)
    await api.error("GET", f"{session_path}/Interactions", 404)
    snapshot = api.emulator.snapshot()
    assert (snapshot["sessions"], snapshot["participants"], snapshot["interactions"]) == (
        [],
        [],
        [],
    )
    assert all(n["in_use"] == 0 for n in snapshot["phone_numbers"])
    assert len(snapshot["services"]) == 1


async def test_deleting_a_service_cascades_and_frees_its_numbers(api: Api) -> None:
    service, session_path = await _populated(api, "cascade-service")
    numbers = api.emulator.snapshot()["phone_numbers"]
    await api.ok("DELETE", f"/v1/Services/{service['sid']}", 204)
    await api.error("GET", session_path, 404)
    await api.error("GET", f"/v1/Services/{service['sid']}/PhoneNumbers", 404)
    assert all(not records for records in api.emulator.snapshot().values())
    other = await api.service("taker", numbers=0)
    for number in numbers:
        await api.ok(
            "POST", f"/v1/Services/{other['sid']}/PhoneNumbers", 201, data={"Sid": number["sid"]}
        )


@pytest.mark.parametrize(
    "operation", [op for table in COLLECTIONS for op in table.operations()], ids=str
)
async def test_every_operation_answers_twilio_s_status(
    world: World, operation: Operation[Any]
) -> None:
    """Each operation of the table, on a world holding one record of every collection."""
    method, path, form = world.request(operation.collection.name, operation.verb)
    response = await world.api.call(method, path, data=form)
    assert response.status == operation.success, response.body


async def test_chat_service_create_update_list_delete(api: Api) -> None:
    fields = model_fields("chat_services")
    created = await api.ok("POST", "/v2/Services", 201, data={"FriendlyName": "support"})
    assert set(created) == fields
    assert re.fullmatch(r"IS[0-9a-f]{32}", created["sid"])
    assert re.fullmatch(r"RL[0-9a-f]{32}", created["default_service_role_sid"])
    assert created["url"] == f"{api.emulator.url}/v2/Services/{created['sid']}"
    assert set(created["links"]) == {"channels", "users", "roles", "bindings"}
    assert set(created["limits"]) == {"channel_members", "user_channels"}
    assert set(created["media"]) == {"size_limit_mb", "compatibility_message"}
    # Twilio's answer until a Notifications.* field is set.
    assert created["notifications"] == {}
    await api.error("POST", "/v2/Services", 400, data={})

    path = f"/v2/Services/{created['sid']}"
    role = "RL" + "3" * 32
    updated = await api.ok(
        "POST",
        path,
        200,
        data=[
            ("FriendlyName", "support-2"),
            ("DefaultChannelRoleSid", role),
            ("ReachabilityEnabled", "true"),
            ("TypingIndicatorTimeout", "9"),
            ("Notifications.NewMessage.Enabled", "true"),
            ("Notifications.NewMessage.Template", "New: ${MESSAGE}"),
            ("Notifications.NewMessage.BadgeCountEnabled", "true"),
            ("Notifications.AddedToChannel.Sound", "ding"),
            ("Notifications.LogEnabled", "true"),
            ("Limits.ChannelMembers", "500"),
            ("Limits.UserChannels", "600"),
            ("Media.CompatibilityMessage", "media!"),
            ("PreWebhookUrl", "https://hooks.example/pre"),
            ("WebhookMethod", "GET"),
            ("WebhookFilters", "onMessageSend"),
            ("WebhookFilters", "onChannelAdd"),
            ("PostWebhookRetryCount", "3"),
        ],
    )
    assert updated["friendly_name"] == "support-2"
    assert updated["default_channel_role_sid"] == role
    assert (updated["reachability_enabled"], updated["typing_indicator_timeout"]) == (True, 9)
    new_message = updated["notifications"]["new_message"]
    assert new_message["enabled"] is True and new_message["badge_count_enabled"] is True
    assert new_message["template"] == "New: ${MESSAGE}"
    # Only what was set: no null sound or template filled in.
    assert updated["notifications"] == {
        "log_enabled": True,
        "new_message": {
            "enabled": True,
            "template": "New: ${MESSAGE}",
            "badge_count_enabled": True,
        },
        "added_to_channel": {"sound": "ding"},
    }
    assert updated["limits"] == {"channel_members": 500, "user_channels": 600}
    assert updated["media"]["compatibility_message"] == "media!"
    assert (updated["pre_webhook_url"], updated["webhook_method"]) == (
        "https://hooks.example/pre",
        "GET",
    )
    assert updated["webhook_filters"] == ["onMessageSend", "onChannelAdd"]
    assert updated["post_webhook_retry_count"] == 3
    assert updated["date_updated"] > created["date_updated"]
    for bad in (
        {"WebhookMethod": "PUT"},
        {"Limits.ChannelMembers": "5000"},
        {"DefaultServiceRoleSid": "RL1"},
        {"ReadStatusEnabled": "maybe"},
    ):
        await api.error("POST", path, 400, data=bad)
    assert await api.ok("GET", path, 200) == updated

    assert (await api.ok("GET", "/v2/Services", 200))["services"] == [updated]
    await api.ok("DELETE", path, 204)
    await api.error("GET", path, 404)
    await api.error("GET", "/v2/Services/IS123", 404)
