"""Proxy callback models against Twilio's documented fields, and the answer helpers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st
from multidict import MultiDict
from starlette.datastructures import FormData, UploadFile

from twilio_proxy_async import (
    InteractionResourceStatus,
    InteractionType,
    InvalidParameterError,
    Participant,
    Session,
    SessionMode,
    SessionStatus,
)
from twilio_proxy_async.webhooks import (
    InteractionCallback,
    InterceptCallback,
    OutOfSessionCallback,
    WebhookAnswer,
    allow_interaction,
    auto_create_session,
    block_interaction,
    twiml_answer,
)

AC = "AC" + "a1" * 16
KS = "KS" + "b2" * 16
KC = "KC" + "c3" * 16
KI = "KI" + "d4" * 16
KP_IN = "KP" + "e5" * 16
KP_OUT = "KP" + "f6" * 16
CA_IN = "CA" + "07" * 16
CA_OUT = "CA" + "18" * 16
PN_IN = "PN" + "29" * 16
PN_OUT = "PN" + "3a" * 16
CALLS = f"https://api.twilio.com/2010-04-01/Accounts/{AC}/Calls"

# https://www.twilio.com/docs/proxy/api/webhooks, "CallbackUrl", with real-looking SIDs where
# the page writes KPXXXX... placeholders.
INTERACTION_FORM = {
    "inboundParticipantSid": KP_IN,
    "inboundResourceSid": CA_IN,
    "inboundResourceStatus": "completed",
    "inboundResourceType": "call",
    "inboundResourceUrl": f"{CALLS}/{CA_IN}.json",
    "interactionAccountSid": AC,
    "interactionData": "",
    "interactionDateCreated": "2018-03-13T22:42:54Z",
    "interactionDateUpdated": "2018-03-13T22:42:56Z",
    "interactionServiceSid": KS,
    "interactionSessionSid": KC,
    "interactionSid": KI,
    "interactionType": "Voice",
    "outboundParticipantSid": KP_OUT,
    "outboundResourceSid": CA_OUT,
    "outboundResourceStatus": "initiated",
    "outboundResourceType": "call",
    "outboundResourceUrl": f"{CALLS}/{CA_OUT}.json",
}
OUTBOUND_NAMES = [name for name in INTERACTION_FORM if name.startswith("outbound")]
INTERCEPT_FORM = {k: v for k, v in INTERACTION_FORM.items() if k not in OUTBOUND_NAMES}


def test_interaction_callback_reads_every_documented_field() -> None:
    callback = InteractionCallback.from_form(INTERACTION_FORM)
    assert callback == InteractionCallback(
        interaction_sid=KI,
        interaction_session_sid=KC,
        interaction_service_sid=KS,
        interaction_account_sid=AC,
        interaction_data=None,
        interaction_type=InteractionType.VOICE,
        interaction_date_created=datetime(2018, 3, 13, 22, 42, 54, tzinfo=UTC),
        interaction_date_updated=datetime(2018, 3, 13, 22, 42, 56, tzinfo=UTC),
        inbound_participant_sid=KP_IN,
        inbound_resource_sid=CA_IN,
        inbound_resource_status=InteractionResourceStatus.COMPLETED,
        inbound_resource_type="call",
        inbound_resource_url=f"{CALLS}/{CA_IN}.json",
        outbound_participant_sid=KP_OUT,
        outbound_resource_sid=CA_OUT,
        outbound_resource_status=InteractionResourceStatus.INITIATED,
        outbound_resource_type="call",
        outbound_resource_url=f"{CALLS}/{CA_OUT}.json",
        extra={},
    )
    assert callback.interaction_date_created is not None
    assert callback.interaction_date_created.utcoffset() == timedelta(0)
    assert callback.data_json() is None
    assert hash(callback) == hash(InteractionCallback.from_form(dict(INTERACTION_FORM)))


def test_intercept_callback_reads_the_inbound_leg_and_keeps_the_rest() -> None:
    callback = InterceptCallback.from_form(INTERCEPT_FORM)
    assert callback.interaction_sid == KI
    assert callback.inbound_resource_status is InteractionResourceStatus.COMPLETED
    assert callback.extra == {}
    # The intercept callback documents no outbound leg: if one comes, nothing is dropped.
    with_outbound = InterceptCallback.from_form(INTERACTION_FORM)
    assert with_outbound.extra == {name: INTERACTION_FORM[name] for name in OUTBOUND_NAMES}
    assert not hasattr(with_outbound, "outbound_resource_sid")


def test_message_data_is_kept_raw_with_a_json_helper() -> None:
    form = {**INTERCEPT_FORM, "interactionType": "message", "interactionData": '{"body":"hé"}'}
    callback = InterceptCallback.from_form(form)
    assert callback.interaction_type is InteractionType.MESSAGE
    assert callback.interaction_data == '{"body":"hé"}'
    assert callback.data_json() == {"body": "hé"}
    broken = InterceptCallback.from_form({**form, "interactionData": "{body"})
    with pytest.raises(ValueError, match=f"data of interaction {KI} is not valid JSON"):
        broken.data_json()


def test_hostile_data_gives_a_value_error_not_a_recursion_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    callback = InterceptCallback.from_form({**INTERCEPT_FORM, "interactionData": deep})
    assert callback.interaction_data == deep
    with pytest.raises(ValueError, match=f"data of interaction {KI}"):
        callback.data_json()


def test_unknown_fields_and_enum_values_are_kept_as_received() -> None:
    form: dict[str, str | list[str]] = {
        **INTERACTION_FORM,
        "interactionType": "hologram",
        "outboundResourceStatus": "teleported",
        "interactionNumMedia": "0",
        "Tag": ["a", "b"],
    }
    callback = InteractionCallback.from_form(form)
    assert callback.interaction_type == "hologram"
    assert callback.outbound_resource_status == "teleported"
    assert callback.extra == {"interactionNumMedia": "0", "Tag": ("a", "b")}


def test_framework_multidicts_are_read_with_their_repeated_values() -> None:
    pairs = [*INTERCEPT_FORM.items(), ("Tag", "a"), ("Tag", "b")]
    expected = InterceptCallback.from_form({**INTERCEPT_FORM, "Tag": ["a", "b"]})
    assert InterceptCallback.from_form(MultiDict(pairs)) == expected
    assert InterceptCallback.from_form(FormData(pairs)) == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("interactionSid", "KI123", "interactionSid must be a KI SID"),
        ("interactionSessionSid", KS, "interactionSessionSid must be a KC SID"),
        ("inboundResourceSid", "CA-not-hex", "inboundResourceSid must be a SID"),
        ("interactionDateCreated", "13/03/2018", "interactionDateCreated is not an ISO 8601"),
        ("interactionDateCreated", "9999-12-31T23:59:59-23:59", "not an ISO 8601"),
        ("interactionSid", "", "interactionSid is missing"),
    ],
)
def test_bad_values_raise_naming_the_field(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        InterceptCallback.from_form({**INTERCEPT_FORM, name: value})


def test_a_field_repeated_with_other_values_is_ambiguous() -> None:
    same = InterceptCallback.from_form({**INTERCEPT_FORM, "interactionSid": [KI, KI]})
    assert same.interaction_sid == KI
    other = "KI" + "0" * 32
    with pytest.raises(ValueError, match="interactionSid was sent 2 times"):
        InterceptCallback.from_form({**INTERCEPT_FORM, "interactionSid": [KI, other]})


def test_uploads_and_non_mappings_are_refused() -> None:
    upload = UploadFile(file=None, filename="x.txt")  # type: ignore[arg-type]
    form = FormData([*INTERCEPT_FORM.items(), ("Media", upload)])
    with pytest.raises(TypeError, match="'Media' must have text values"):
        InterceptCallback.from_form(form)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'interactionSid' must have text values"):
        InterceptCallback.from_form({"interactionSid": 42})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="form must be a mapping"):
        InterceptCallback.from_form([("interactionSid", KI)])  # type: ignore[arg-type]


# https://www.twilio.com/docs/proxy/api/webhooks, "OutOfSessionCallbackUrl" (a voice call).
OUT_OF_SESSION_CALL = {
    "AccountSid": AC,
    "AddOns": '{"status":"successful","message":null,"code":null,"results":{}}',
    "ApiVersion": "2010-04-01",
    "Called": "+14155550100",
    "CalledCity": "OAKLAND",
    "CalledCountry": "US",
    "CalledState": "CA",
    "CalledZip": "94612",
    "Caller": "+19515550100",
    "CallerCity": "CORONA",
    "CallerCountry": "US",
    "CallerState": "CA",
    "CallerZip": "92879",
    "CallSid": CA_IN,
    "CallStatus": "ringing",
    "Direction": "inbound",
    "From": "+19515550100",
    "FromCity": "CORONA",
    "FromCountry": "US",
    "FromState": "CA",
    "FromZip": "92879",
    "inboundParticipantAccountSid": AC,
    "inboundParticipantDateCreated": "2018-03-14T06:22:05Z",
    "inboundParticipantDateUpdated": "2018-03-14T06:22:05Z",
    "inboundParticipantFriendlyName": "user_cjeqp7cxv00018dd5ho0n2792",
    "inboundParticipantIdentifier": "+19515550100",
    "inboundParticipantProxyIdentifier": "+14155550100",
    "inboundParticipantProxyIdentifierSid": PN_IN,
    "inboundParticipantServiceSid": KS,
    "inboundParticipantSessionSid": KC,
    "inboundParticipantSid": KP_IN,
    "outboundParticipantAccountSid": AC,
    "outboundParticipantDateCreated": "2018-03-14T06:22:06Z",
    "outboundParticipantDateUpdated": "2018-03-14T06:22:06Z",
    "outboundParticipantFriendlyName": "user_cjeqp7d7w00028dd5d7bus6vj",
    "outboundParticipantIdentifier": "+17075550100",
    "outboundParticipantProxyIdentifier": "+17075550199",
    "outboundParticipantProxyIdentifierSid": PN_OUT,
    "outboundParticipantServiceSid": KS,
    "outboundParticipantSessionSid": KC,
    "outboundParticipantSid": KP_OUT,
    "sessionAccountSid": AC,
    "sessionClosedReason": "api",
    "sessionDateCreated": "2018-03-14T06:22:05Z",
    "sessionDateEnded": "2018-03-14T06:22:06Z",
    "sessionDateUpdated": "2018-03-14T06:22:06Z",
    "sessionMode": "voice-only",
    "sessionServiceSid": KS,
    "sessionSid": KC,
    "sessionStatus": "closed",
    "sessionUniqueName": "session_cjeqp7cot00008dd5v4rbowgp",
    "To": "+14155550100",
    "ToCity": "OAKLAND",
    "ToCountry": "US",
    "ToState": "CA",
    "ToZip": "94612",
}


def test_out_of_session_call_reads_the_previous_session_and_participants() -> None:
    callback = OutOfSessionCallback.from_form(OUT_OF_SESSION_CALL)
    assert callback.is_call
    assert (callback.account_sid, callback.api_version, callback.direction) == (
        AC,
        "2010-04-01",
        "inbound",
    )
    assert (callback.from_, callback.to, callback.call_sid, callback.call_status) == (
        "+19515550100",
        "+14155550100",
        CA_IN,
        "ringing",
    )
    assert (callback.caller, callback.called) == ("+19515550100", "+14155550100")
    assert (callback.from_city, callback.to_zip, callback.caller_state) == (
        "CORONA",
        "94612",
        "CA",
    )
    assert (callback.called_city, callback.called_country) == ("OAKLAND", "US")
    assert callback.add_ons == OUT_OF_SESSION_CALL["AddOns"]
    assert callback.session == Session(
        sid=KC,
        account_sid=AC,
        service_sid=KS,
        unique_name="session_cjeqp7cot00008dd5v4rbowgp",
        status=SessionStatus.CLOSED,
        mode=SessionMode.VOICE_ONLY,
        closed_reason="api",
        date_created=datetime(2018, 3, 14, 6, 22, 5, tzinfo=UTC),
        date_updated=datetime(2018, 3, 14, 6, 22, 6, tzinfo=UTC),
        date_ended=datetime(2018, 3, 14, 6, 22, 6, tzinfo=UTC),
    )
    assert callback.inbound_participant == Participant(
        sid=KP_IN,
        account_sid=AC,
        service_sid=KS,
        session_sid=KC,
        friendly_name="user_cjeqp7cxv00018dd5ho0n2792",
        identifier="+19515550100",
        proxy_identifier="+14155550100",
        proxy_identifier_sid=PN_IN,
        date_created=datetime(2018, 3, 14, 6, 22, 5, tzinfo=UTC),
        date_updated=datetime(2018, 3, 14, 6, 22, 5, tzinfo=UTC),
    )
    assert callback.outbound_participant is not None
    assert callback.outbound_participant.identifier == "+17075550100"
    assert callback.outbound_participant.proxy_identifier_sid == PN_OUT
    assert callback.extra == {}


def test_out_of_session_message_without_a_previous_session() -> None:
    sm = "SM" + "4b" * 16
    form = {
        "AccountSid": AC,
        "ApiVersion": "2010-04-01",
        "MessageSid": sm,
        "SmsSid": sm,
        "SmsMessageSid": sm,
        "SmsStatus": "received",
        "Body": "Is my order on its way?",
        "NumMedia": "0",
        "NumSegments": "1",
        "From": "+19515550100",
        "To": "+14155550100",
        "MessagingServiceSid": "MG" + "5c" * 16,
    }
    callback = OutOfSessionCallback.from_form(form)
    assert not callback.is_call
    assert (callback.message_sid, callback.body, callback.num_media, callback.num_segments) == (
        sm,
        "Is my order on its way?",
        0,
        1,
    )
    assert callback.session is None
    assert callback.inbound_participant is None
    assert callback.outbound_participant is None
    assert callback.extra == {"MessagingServiceSid": "MG" + "5c" * 16}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sessionSid": ""}, "sessionSid is missing, though other fields of it were sent"),
        ({"inboundParticipantSid": KC}, "inboundParticipantSid must be a KP SID"),
        ({"NumMedia": "-1"}, "NumMedia must be a count"),
        ({"CallSid": "SM" + "0" * 32}, "CallSid must be a CA SID"),
        ({"sessionDateEnded": "yesterday"}, "sessionDateEnded is not an ISO 8601"),
    ],
)
def test_out_of_session_bad_values_raise_naming_the_field(
    changes: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        OutOfSessionCallback.from_form({**OUT_OF_SESSION_CALL, **changes})


def test_unknown_session_status_and_mode_are_kept() -> None:
    form = {**OUT_OF_SESSION_CALL, "sessionStatus": "archived", "sessionMode": "video-only"}
    callback = OutOfSessionCallback.from_form(form)
    assert callback.session is not None
    assert (callback.session.status, callback.session.mode) == ("archived", "video-only")


# --- answers -------------------------------------------------------------------------------


def test_intercept_answers() -> None:
    assert allow_interaction() == (200, {}, b"")
    status, headers, body = block_interaction()
    assert (status, dict(headers), body) == (403, {}, b"")


def test_auto_create_session_matches_twilios_documented_sample() -> None:
    # https://www.twilio.com/docs/proxy/out-session-callback-response-guide
    answer = auto_create_session(
        "+14152345555", unique_name="autoCreatedSession23423", ttl=3360, mode="voice-and-message"
    )
    assert answer.status == 200
    assert answer.headers == {"Content-Type": "application/json"}
    assert json.loads(answer.body) == {
        "uniqueName": "autoCreatedSession23423",
        "ttl": 3360,
        "mode": "voice-and-message",
        "participantIdentifier": "+14152345555",
    }


def test_auto_create_session_with_every_field() -> None:
    expiry = datetime(2026, 12, 2, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    answer = auto_create_session(
        "+14152345555",
        participant_proxy_identifier="+14155550199",
        unique_name="order-1042",
        mode=SessionMode.MESSAGE_ONLY,
        ttl=0,
        date_expiry=expiry,
    )
    assert answer.body == (
        b'{"participantIdentifier":"+14152345555","participantProxyIdentifier":"+14155550199",'
        b'"uniqueName":"order-1042","mode":"message-only","ttl":0,'
        b'"dateExpiry":"2026-12-01T23:30:00Z"}'
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"participant_identifier": ""}, "participant_identifier must be a non-empty string"),
        ({"participant_identifier": None}, "participant_identifier must be a non-empty string"),
        ({"mode": "video"}, "mode must be one of"),
        ({"ttl": -1}, "ttl must be a non-negative integer"),
        ({"ttl": True}, "ttl must be a non-negative integer"),
        ({"ttl": 3.5}, "ttl must be a non-negative integer"),
        ({"date_expiry": datetime(2026, 12, 2)}, "date_expiry must be a timezone-aware"),
        ({"date_expiry": "2026-12-02"}, "date_expiry must be a datetime"),
        ({"unique_name": " "}, "unique_name must be a non-empty string"),
    ],
)
def test_auto_create_session_refuses_bad_arguments(
    arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        auto_create_session(**{"participant_identifier": "+14152345555", **arguments})  # type: ignore[arg-type]


def test_twiml_answer() -> None:
    twiml = "<Response><Message>Sorry, this conversation has ended.</Message></Response>"
    assert twiml_answer(twiml) == WebhookAnswer(
        200, {"Content-Type": "application/xml"}, twiml.encode()
    )
    with pytest.raises(InvalidParameterError, match="not well-formed XML"):
        twiml_answer("<Response><Say>unclosed</Response>")
    with pytest.raises(InvalidParameterError, match="must have a <Response> root, not <Say>"):
        twiml_answer("<Say>hi</Say>")
    with pytest.raises(InvalidParameterError, match="twiml must be a string"):
        twiml_answer(b"<Response/>")  # type: ignore[arg-type]


async def test_answers_reach_twilio_from_an_aiohttp_handler() -> None:
    answers = {
        "/block": block_interaction(),
        "/allow": allow_interaction(),
        "/create": auto_create_session("+14152345555", ttl=60),
        "/twiml": twiml_answer("<Response/>"),
    }

    async def handler(request: web.Request) -> web.Response:
        return answers[request.path].to_aiohttp()

    app = web.Application()
    app.router.add_post("/{name}", handler)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for path, answer in answers.items():
            response = await client.post(path)
            assert response.status == answer.status
            assert await response.read() == answer.body
            # aiohttp's client reads a missing Content-Type as application/octet-stream.
            expected_type = answer.headers.get("Content-Type", "application/octet-stream")
            assert response.content_type == expected_type


# --- hostile forms --------------------------------------------------------------------------

_known_names = st.sampled_from(
    [*INTERACTION_FORM, *OUT_OF_SESSION_CALL, "interactionSid", "sessionSid"]
)
_hostile_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["9999-12-31T23:59:59-23:59", "0001-01-01T00:30:00+01:00", "\x00", KI]),
)
_hostile_forms = st.dictionaries(
    st.one_of(_known_names, st.text(max_size=10)),
    st.one_of(_hostile_values, st.lists(_hostile_values, max_size=3)),
    max_size=12,
)


@given(form=_hostile_forms)
def test_any_form_gives_a_model_or_a_value_error(form: dict[str, str | list[str]]) -> None:
    for model in (InteractionCallback, InterceptCallback, OutOfSessionCallback):
        try:
            parsed = model.from_form({**form, "interactionSid": form.get("interactionSid", KI)})
        except ValueError:
            continue
        # The same form always reads the same; models stay hashable whatever came in.
        again = model.from_form({**form, "interactionSid": form.get("interactionSid", KI)})
        assert parsed == again
        assert hash(parsed) == hash(again)
