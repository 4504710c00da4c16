"""The models under test, found from the package's own exports, and Hypothesis strategies
built from each model's fields, so a model added to the package is covered with no edit here."""

from __future__ import annotations

import string
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Any

import attrs
from hypothesis import strategies as st

import twilio_proxy_async
from twilio_proxy_async import Cursor


def resource_models() -> list[type[Any]]:
    """Every attrs class the facade exports from ``twilio_proxy_async.models``."""
    found = []
    for name in twilio_proxy_async.__all__:
        exported = getattr(twilio_proxy_async, name)
        if (
            isinstance(exported, type)
            and attrs.has(exported)
            and exported.__module__.startswith("twilio_proxy_async.models.")
        ):
            found.append(exported)
    return found


def serializable_models() -> list[type[Any]]:
    return [*resource_models(), Cursor]


_HEX = "0123456789abcdefABCDEF"
_OFFSETS = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]

datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from(_OFFSETS),
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def sids(prefix: str | None) -> st.SearchStrategy[str]:
    letters = st.text(string.ascii_letters, min_size=2, max_size=2)
    head = letters if prefix is None else st.just(prefix)
    return st.builds(str.__add__, head, st.text(_HEX, min_size=32, max_size=32))


def _union_members(kind: object) -> list[object]:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return list(typing.get_args(kind))
    return [kind]


def _for_type(kind: object) -> st.SearchStrategy[Any]:
    members = _union_members(kind)
    if len(members) > 1:
        return st.one_of([_for_type(member) for member in members])
    if kind is type(None):
        return st.none()
    if kind is str:
        return st.text(max_size=12)
    if kind is bool:
        return st.booleans()
    if kind is int:
        return st.integers()
    if kind is datetime:
        return datetimes
    if isinstance(kind, type) and issubclass(kind, Enum):
        return st.sampled_from(list(kind))
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin is Mapping and arguments == (str, str):
        return st.dictionaries(st.text(max_size=8), st.text(max_size=12), max_size=4)
    if origin is Mapping and arguments == (str, object):
        return st.dictionaries(st.text(max_size=8), json_values, max_size=4)
    if origin is Sequence and arguments == (str,):
        return st.lists(st.text(max_size=8), max_size=4)
    raise NotImplementedError(f"no strategy for {kind!r}: extend tests/model_support.py")


def field_strategy(field: attrs.Attribute[Any]) -> st.SearchStrategy[Any]:
    if "sid_prefix" in field.metadata:
        sid = sids(field.metadata["sid_prefix"])
        return sid if field.default is attrs.NOTHING else st.none() | sid
    return _for_type(field.type)


def instances(model: type[Any]) -> st.SearchStrategy[Any]:
    """Any valid instance of ``model``: every field drawn from its annotation."""
    attrs.resolve_types(model)
    fields = attrs.fields(model)
    return st.builds(model, **{field.name: field_strategy(field) for field in fields})
