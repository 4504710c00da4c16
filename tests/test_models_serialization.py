"""to_dict / from_dict and hashing, over every model the package exports.

The model list comes from the package (``model_support.resource_models``) and the strategies
from each model's fields, so a new model is covered here without an edit.
"""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_support import instances, resource_models, serializable_models

from twilio_proxy_async import (
    ChatService,
    Client,
    Cursor,
    InvalidParameterError,
    PhoneNumber,
    Service,
    Session,
    SessionStatus,
    from_dict,
    to_dict,
)
from twilio_proxy_async._converter import structure
from twilio_proxy_async._export import run_export
from twilio_proxy_async._export._schema import MODELS as EXPORT_MODELS
from twilio_proxy_async._record_hooks import record_structurer
from twilio_proxy_async.testing import DemoData, Emulator

MODELS = serializable_models()
FAST = settings(max_examples=40, deadline=None)
KC = "KC" + "a" * 32
KS = "KS" + "b" * 32
IS = "IS" + "c" * 32


def _plain_json(value: object) -> bool:
    if isinstance(value, dict):
        return all(type(k) is str and _plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_json(item) for item in value)
    return type(value) in (str, int, float, bool, type(None))


def test_the_model_list_comes_from_the_package() -> None:
    # The derivation must find the models (an empty list would make every test below vacuous).
    found = set(resource_models())
    expected = {"Service", "Session", "Participant", "Interaction", "MessageInteraction"}
    assert {model.__name__ for model in found} >= expected | {"PhoneNumber", "ChatService"}
    assert Cursor in MODELS


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@FAST
@given(data=st.data())
def test_from_dict_inverts_to_dict(model: type[Any], data: st.DataObject) -> None:
    original = data.draw(instances(model))
    written = to_dict(original)
    assert list(written) == [field.name for field in attrs.fields(model)]
    assert _plain_json(written)
    rebuilt = from_dict(model, written)
    assert rebuilt == original
    assert hash(rebuilt) == hash(original)
    assert len({original, rebuilt}) == 1
    assert to_dict(rebuilt) == written


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@FAST
@given(data=st.data())
def test_to_dict_survives_json(model: type[Any], data: st.DataObject) -> None:
    original = data.draw(instances(model))
    text = json.dumps(to_dict(original))
    assert from_dict(model, json.loads(text)) == original


@pytest.mark.parametrize("model", resource_models(), ids=lambda m: m.__name__)
@FAST
@given(data=st.data())
def test_models_pickle_and_copy_by_value(model: type[Any], data: st.DataObject) -> None:
    original = data.draw(instances(model))
    again = pickle.loads(pickle.dumps(original))
    assert again == original and hash(again) == hash(original)


def test_datetimes_are_written_in_utc_with_a_z() -> None:
    ahead = timezone(timedelta(hours=2))
    session = Session(
        sid=KC,
        date_created=datetime(2024, 1, 1, 1, 30, tzinfo=ahead),
        date_updated=datetime(2024, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC),
    )
    written = to_dict(session)
    assert written["date_created"] == "2023-12-31T23:30:00Z"
    # Microseconds are kept, so the inverse is exact for any datetime a model holds.
    assert written["date_updated"] == "2024-01-01T00:00:00.250000Z"
    rebuilt = from_dict(Session, written)
    assert rebuilt.date_created == session.date_created
    assert rebuilt.date_created is not None and rebuilt.date_created.tzinfo is UTC


def test_enums_are_written_as_values_and_unknown_values_stay_raw() -> None:
    session = Session(sid=KC, status=SessionStatus.IN_PROGRESS, mode="voice-and-video")
    written = to_dict(session)
    assert (written["status"], written["mode"]) == ("in-progress", "voice-and-video")
    assert type(written["status"]) is str
    rebuilt = from_dict(Session, written)
    assert rebuilt.status is SessionStatus.IN_PROGRESS
    assert type(rebuilt.mode) is str and rebuilt.mode == "voice-and-video"


def test_nested_objects_are_frozen_and_written_back_as_plain_dicts() -> None:
    notifications = {"new_message": {"enabled": True, "template": "hi"}, "log_enabled": False}
    body = {
        "sid": IS,
        "notifications": notifications,
        "webhook_filters": ["onMessageSent"],
        "links": {"channels": "https://chat.twilio.com/v2/Services/x/Channels"},
    }
    chat = from_dict(ChatService, body)
    assert chat.notifications == notifications
    with pytest.raises(TypeError):
        chat.notifications["log_enabled"] = True  # type: ignore[index]
    with pytest.raises(TypeError):
        chat.notifications["new_message"]["enabled"] = False  # type: ignore[index]
    with pytest.raises(TypeError):
        chat.links["users"] = "https://elsewhere"  # type: ignore[index]
    assert chat.webhook_filters == ("onMessageSent",)
    # The model copied what it was built from: changing the input changes nothing.
    body["links"]["channels"] = "https://elsewhere"  # type: ignore[index]
    assert chat.links is not None and chat.links["channels"].endswith("/Channels")
    written = to_dict(chat)
    assert type(written["notifications"]) is dict
    assert type(written["notifications"]["new_message"]) is dict  # type: ignore[index]
    assert written["webhook_filters"] == ["onMessageSent"]
    # What to_dict hands out is the caller's: changing it leaves the model alone.
    written["notifications"]["new_message"]["enabled"] = False  # type: ignore[index]
    assert chat.notifications["new_message"] == {"enabled": True, "template": "hi"}


def test_equal_models_hash_equal_however_they_were_built() -> None:
    links = {"sessions": "https://proxy.twilio.com/v1/Services/x/Sessions"}
    from_plain = Service(sid=KS, links=links)
    from_json = from_dict(Service, {"sid": KS, "links": dict(links)})
    assert from_plain == from_json and hash(from_plain) == hash(from_json)
    assert {from_plain, from_json} == {from_plain}
    assert Service(sid=KS, links={"other": "x"}) not in {from_plain}
    number = PhoneNumber(sid="PN" + "d" * 32, capabilities={"sms": True, "voice": [1, {"a": 2}]})
    assert hash(number) == hash(from_dict(PhoneNumber, to_dict(number)))
    chat = ChatService(sid=IS, webhook_filters=["onMessageSent"], limits={"user_channels": 9})
    assert {chat, from_dict(ChatService, to_dict(chat))} == {chat}


def test_mutating_the_dict_given_to_from_dict_leaves_the_model_unchanged() -> None:
    links = {"participants": "https://proxy.twilio.com/v1/x/Participants"}
    limits = {"channel_members": 100, "nested": [{"a": 1}]}
    session = from_dict(Session, {"sid": KC, "links": links})
    chat = from_dict(ChatService, {"sid": IS, "links": links, "limits": limits})
    hashes = hash(session), hash(chat)
    links["participants"] = "changed"
    links["added"] = "x"
    limits["channel_members"] = 1
    limits["nested"][0]["a"] = 2  # type: ignore[index]
    assert session.links == {"participants": "https://proxy.twilio.com/v1/x/Participants"}
    assert chat.links == session.links
    assert chat.limits == {"channel_members": 100, "nested": ({"a": 1},)}
    assert (hash(session), hash(chat)) == hashes


def test_from_dict_names_the_field_that_does_not_fit() -> None:
    with pytest.raises(InvalidParameterError, match=r"not a valid Session: .*data\.ttl"):
        from_dict(Session, {"sid": KC, "ttl": "3600"})
    with pytest.raises(InvalidParameterError, match=r"required field missing @ data\.sid"):
        from_dict(Session, {"ttl": 3600})
    with pytest.raises(InvalidParameterError, match="service_sid must be a KS SID"):
        from_dict(Session, {"sid": KC, "service_sid": KC})
    with pytest.raises(InvalidParameterError, match=r"data\.links"):
        from_dict(Service, {"sid": KS, "links": {"sessions": 3}})


def test_from_dict_and_to_dict_refuse_what_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="takes a model class"):
        from_dict(dict, {})  # type: ignore[type-var]
    with pytest.raises(TypeError, match="takes a mapping"):
        from_dict(Session, [("sid", KC)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a model"):
        to_dict({"sid": KC})  # type: ignore[arg-type]


def test_both_structuring_paths_freeze_nested_objects() -> None:
    # The generated fast path and the detailed cattrs converter must agree, down to the type.
    body = {
        "sid": IS,
        "limits": {"channel_members": 100, "nested": [{"a": [1, 2]}]},
        "links": {"channels": "https://chat.twilio.com/v2/Services/x/Channels"},
        "webhook_filters": ["onMessageSent"],
    }
    for built in (record_structurer(ChatService)(body), structure(body, ChatService)):
        assert type(built.limits).__name__ == "FrozenDict"
        assert type(built.links).__name__ == "FrozenDict"
        assert built.limits is not None
        nested = built.limits["nested"]
        assert type(nested) is tuple and type(nested[0]).__name__ == "FrozenDict"
        assert nested[0]["a"] == (1, 2)
        assert type(built.webhook_filters) is tuple
        assert hash(built) == hash(from_dict(ChatService, to_dict(built)))


def _nested(levels: int) -> dict[str, object]:
    top: dict[str, object] = {}
    current = top
    for _ in range(levels):
        inner: dict[str, object] = {}
        current["a"] = inner
        current = inner
    return top


@pytest.mark.parametrize("levels", [32, 100_000])
def test_nesting_past_the_bound_is_a_clear_error_not_a_recursion_error(levels: int) -> None:
    with pytest.raises(InvalidParameterError, match=r"deeper than 32 levels @ data\.limits"):
        from_dict(ChatService, {"sid": IS, "limits": _nested(levels)})
    with pytest.raises(ValueError, match="deeper than 32 levels"):
        to_dict(ChatService(sid=IS, limits=_nested(levels)))


def test_nesting_within_the_bound_round_trips() -> None:
    chat = from_dict(ChatService, {"sid": IS, "limits": _nested(31)})
    assert from_dict(ChatService, json.loads(json.dumps(to_dict(chat)))) == chat


async def test_the_exports_lines_read_back_into_models_that_write_them_again(
    tmp_path: Path,
) -> None:
    # A bulk export is a store users load again: each JSONL line is exactly to_dict of the
    # model from_dict reads it into (the demo records carry their parents' SIDs already).
    demo = DemoData(services=1, phone_numbers_per_service=2, sessions_per_service=3)
    async with (
        Emulator(demo=demo) as emu,
        Client(emu.account_sid, emu.auth_token, base_url=emu.url) as client,
    ):
        await run_export(client, tmp_path)
    for resource, model in EXPORT_MODELS.items():
        lines = (tmp_path / f"{resource}.jsonl").read_text().splitlines()
        assert lines, resource
        for line in lines:
            record = json.loads(line)
            assert to_dict(from_dict(model, record)) == record
