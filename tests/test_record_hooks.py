"""The generated fast structurers agree with the detailed converter on every record."""

from __future__ import annotations

import copy
import functools
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twilio_proxy_async import (
    ChatService,
    Interaction,
    MessageInteraction,
    Participant,
    PhoneNumber,
    Service,
    Session,
)
from twilio_proxy_async._converter import _optional_inner, _tolerant_enum, converter
from twilio_proxy_async._record_hooks import _generate, record_structurer

MODELS = [Service, ChatService, Session, Participant, Interaction, MessageInteraction, PhoneNumber]
PREFIXES = {
    "sid": None,
    "account_sid": "AC",
    "service_sid": "KS",
    "session_sid": "KC",
    "participant_sid": "KP",
    "chat_instance_sid": "IS",
}

hex32 = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
offsets = st.sampled_from(["Z", "+00:00", "-07:00", "+05:30", ""])
instants = st.builds(
    lambda moment, offset: moment.strftime("%Y-%m-%dT%H:%M:%S") + offset,
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    offsets,
)


@functools.cache
def sid_prefix(model: type[Any], field: attrs.Attribute[Any]) -> str | None:
    """The SID prefix a field's validator enforces, found by probing it."""
    for prefix in ("KS", "KC", "KP", "KI", "PN", "IS", "AC", "RL"):
        candidate = prefix + "0" * 32
        try:
            converter.structure({**minimal(model), field.name: candidate}, model)
        except Exception:
            continue
        try:
            converter.structure({**minimal(model), field.name: "ZZ" + "0" * 32}, model)
        except Exception:
            return prefix
    return None


def minimal(model: type[Any]) -> dict[str, object]:
    prefix = {
        Service: "KS",
        ChatService: "IS",
        Session: "KC",
        Participant: "KP",
        Interaction: "KI",
        MessageInteraction: "KI",
        PhoneNumber: "PN",
    }[model]
    return {"sid": prefix + "0" * 32}


def value_strategy(model: type[Any], field: attrs.Attribute[Any]) -> st.SearchStrategy[object]:
    kind: Any = field.type
    enum = _tolerant_enum(kind)
    if enum is not None:
        known = st.sampled_from([member.value for member in enum])
        return st.none() | known | st.text(min_size=1, max_size=8)
    inner = _optional_inner(kind)
    kind = inner if inner is not None else kind
    if field.name.endswith("sid"):
        prefix = sid_prefix(model, field)
        letters = (
            st.just(prefix)
            if prefix
            else st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
        )
        valid = st.builds(str.__add__, letters, hex32)
        return valid if field.name == "sid" else st.none() | valid
    if kind is str:
        return st.none() | st.text(max_size=12)
    if kind is int:
        return st.none() | st.integers(-(2**40), 2**40)
    if kind is bool:
        return st.none() | st.booleans()
    if kind is datetime:
        return st.none() | instants
    if "Sequence" in str(kind):
        return st.none() | st.lists(st.text(max_size=5), max_size=3)
    if "Mapping[str, str]" in str(kind):
        return st.none() | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3)
    return st.none() | st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)


def record_strategy(model: type[Any]) -> st.SearchStrategy[dict[str, object]]:
    attrs.resolve_types(model)
    fields = {f.name: value_strategy(model, f) for f in attrs.fields(model)}
    return st.fixed_dictionaries(fields)


# Values of the wrong JSON type for any field, to check both paths refuse alike.
WRONG = [3, 2.5, True, "not a date", ["x"], {"k": 1}, "KSnot-a-sid"]


def outcome(function: Any, record: object) -> tuple[str, object]:
    try:
        return ("ok", function(record))
    except Exception as exc:  # compared by type and message
        return ("error", (type(exc), str(exc)))


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_fast_path_equals_the_detailed_converter(model: type[Any], data: st.DataObject) -> None:
    record = data.draw(record_strategy(model))
    expected = converter.structure(record, model)
    generated = _generate(model)
    assert generated is not None
    # The generated function alone (no fallback) must accept every valid record.
    assert generated(record) == expected
    assert record_structurer(model)(record) == expected
    owned = _generate(model, owned=True)
    assert owned is not None
    assert owned(copy.deepcopy(record)) == expected
    assert record_structurer(model, owned=True)(copy.deepcopy(record)) == expected
    field = data.draw(st.sampled_from(attrs.fields(model)))
    broken = {**record, field.name: data.draw(st.sampled_from(WRONG))}
    fast = outcome(record_structurer(model), broken)
    detailed = outcome(lambda value: converter.structure(value, model), broken)
    assert fast[0] == detailed[0]
    if fast[0] == "ok":
        assert fast == detailed
    assert outcome(record_structurer(model, owned=True), copy.deepcopy(broken)) == detailed


def test_string_maps_are_checked_inline_on_both_paths() -> None:
    sid = "KC" + "a" * 32
    for owned in (False, True):
        structure = record_structurer(Session, owned=owned)
        for links in ({"a": 1}, {"a": "x", "b": None}, ["x"], "x"):
            record = {"sid": sid, "links": links}
            expected = outcome(lambda value: converter.structure(value, Session), record)
            assert expected[0] == "error"
            assert outcome(structure, record) == expected


def test_a_held_record_is_copied_a_decoded_one_adopted() -> None:
    links = {"participants": "https://proxy.twilio.com/v1/x/Participants"}
    record = {"sid": "KC" + "a" * 32, "links": links}
    held = record_structurer(Session)(record)
    before = hash(held)
    links["participants"] = "changed"
    links["new"] = "added"
    assert held.links == {"participants": "https://proxy.twilio.com/v1/x/Participants"}
    assert hash(held) == before
    # The response path wraps the decoded dict itself: that is the copy it saves.
    decoded = record_structurer(Session, owned=True)(record)
    assert decoded.links is not None and decoded.links._data is links  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_records_that_are_not_objects_are_refused_by_name(model: type[Any]) -> None:
    with pytest.raises(TypeError, match=f"expected a JSON object for {model.__name__}, got list"):
        record_structurer(model)([])


def test_unknown_enum_values_are_kept_raw_on_the_fast_path() -> None:
    record = {**minimal(Session), "status": "hibernating", "mode": "message-only"}
    session = record_structurer(Session)(record)
    assert session.status == "hibernating"
    assert isinstance(session.mode, Enum)


_BUILT: list[str] = []


@attrs.frozen(kw_only=True)
class _Counted:
    """A model whose __init__ does more than store and validate: it must still run."""

    sid: str

    def __attrs_post_init__(self) -> None:
        _BUILT.append(self.sid)


def test_slots_are_filled_directly_only_when_init_does_nothing_more() -> None:
    assert _generate(_Counted) is not None
    record_structurer(_Counted)({"sid": "x"})
    assert _BUILT == ["x"]
    session = record_structurer(Session)({"sid": "KC" + "a" * 32, "service_sid": None})
    assert session == Session(sid="KC" + "a" * 32)
    # Built through a same-layout builder class, it ends up exactly the model, still frozen.
    assert type(session) is Session
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        session.sid = "KC" + "b" * 32  # type: ignore[misc]
    with pytest.raises(cattrs.ClassValidationError):
        record_structurer(Session)({"sid": "KC" + "a" * 31})


def test_inherited_slots_are_filled_too_and_validated_as_init_does() -> None:
    # MessageInteraction's fields live in Interaction's slots.
    record = {"sid": "KI" + "a" * 32, "session_sid": "KC" + "b" * 32}
    built = record_structurer(MessageInteraction)(record)
    assert type(built) is MessageInteraction
    assert built == MessageInteraction(sid="KI" + "a" * 32, session_sid="KC" + "b" * 32)
    with pytest.raises(cattrs.ClassValidationError):
        record_structurer(MessageInteraction)({**record, "session_sid": "KS" + "b" * 32})


# SID values for one field across a run of records: valid ones repeating, and near misses
# (wrong prefix, wrong case, a digit short, a non-hex digit) right after them.
def sid_values(prefix: str) -> st.SearchStrategy[str]:
    good = st.sampled_from([prefix + "a" * 32, prefix + "b" * 32])
    bad = st.sampled_from(
        [prefix.lower() + "a" * 32, "ZZ" + "a" * 32, prefix + "a" * 31, prefix + "g" * 32]
    )
    return good | bad


@pytest.mark.parametrize("model", [Session, Participant], ids=lambda model: model.__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_sid_memo_never_accepts_what_the_converter_refuses(
    model: type[Any], data: st.DataObject
) -> None:
    # A fresh structurer, so its memo starts empty, fed a run of records in which the SID
    # fields repeat, change, and go bad right after a good value.
    fields = [f for f in attrs.fields(model) if f.name.endswith("sid") and f.name != "sid"]
    fast = _generate(model)
    assert fast is not None
    run = data.draw(
        st.lists(
            st.fixed_dictionaries(
                {f.name: sid_values(sid_prefix(model, f) or "KS") for f in fields}
            ),
            min_size=1,
            max_size=8,
        )
    )
    for sids in run:
        record = {**minimal(model), **sids}
        detailed = outcome(lambda value: converter.structure(value, model), record)
        found = outcome(fast, record)
        assert found[0] == detailed[0]
        if found[0] == "ok":
            assert found == detailed


@pytest.mark.parametrize(
    "stamps",
    [
        ("2024-01-01T00:00:02Z", None, "2024-01-01T00:00:02Z", "2024-01-01T00:00:02Z"),
        ("2024-01-01T00:00:02Z", "2024-01-01T00:00:02+00:00", "2024-01-01T02:00:02+02:00", None),
        ("2024-01-01T00:00:02", "2024-01-01T00:00:02", "2024-01-01T00:00:02Z", "bad"),
        (None, "2024-01-01T00:00:02Z", 5, "2024-01-01T00:00:02Z"),
    ],
    ids=["repeated", "same instant, other spellings", "naive then bad", "not a string"],
)
def test_a_record_s_repeated_timestamps_parse_as_the_converter_does(
    stamps: tuple[object, ...],
) -> None:
    names = ("date_started", "date_expiry", "date_created", "date_updated")
    record = {**minimal(Session), **dict(zip(names, stamps, strict=True))}
    expected = outcome(lambda value: converter.structure(value, Session), record)
    fast = _generate(Session)
    assert fast is not None
    assert outcome(fast, record)[0] == expected[0]
    assert outcome(record_structurer(Session), record) == expected
    if expected[0] == "ok":
        built = fast(record)
        assert built == expected[1]
        assert all(
            getattr(built, name) is None or getattr(built, name).tzinfo is UTC for name in names
        )
