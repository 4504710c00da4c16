"""Building blocks shared by the models: SID fields, frozen JSON shapes, their field helpers."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

import attrs

__all__ = [
    "MAX_NESTING",
    "FrozenDict",
    "JSONObject",
    "Links",
    "adopt",
    "by_value",
    "check_resource_sid",
    "freeze",
    "inherit_attribute_docs",
    "is_sid_check",
    "resource_sid_pattern",
    "sid_field",
    "sid_pattern",
]

# Nested objects whose shape Twilio does not fix (limits, notifications, media, ...): kept
# exactly as received; the converter freezes them (a FrozenDict of frozen values, arrays as
# tuples) so a model stays hashable, and the fields compare and hash by value (``by_value``).
JSONObject = Mapping[str, object]
Links = Mapping[str, str]

C = TypeVar("C", bound=type)
K = TypeVar("K")
V = TypeVar("V", covariant=True)

_PATTERNS: dict[str, re.Pattern[str]] = {}
# Legs of an Interaction point at Messages (SM..) or Calls (CA..): the spec fixes no prefix.
resource_sid_pattern = re.compile(r"[a-zA-Z]{2}[0-9a-fA-F]{32}")


class FrozenDict(Mapping[K, V]):
    """A read-only mapping that hashes by value, for the nested objects of a frozen model.

    It compares equal to a ``dict`` with the same items; ``dict(frozen)`` or ``to_dict`` on
    the model gives a plain ``dict`` back.
    """

    # _hash is filled on first use: building one costs a single slot store, which matters
    # because the converter builds one per nested object of every record.
    __slots__ = ("_data", "_hash")

    _data: dict[K, V]
    _hash: int

    def __init__(self, items: Mapping[K, V] = {}) -> None:
        self._data = dict(items)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            self._hash = hash(frozenset(self._data.items()))
            return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        return (type(self), (self._data,))


_new = object.__new__


def adopt(data: dict[K, V]) -> FrozenDict[K, V]:
    """A FrozenDict holding ``data`` itself (no copy, no ``__init__`` call): for a dict that
    nothing else refers to, as the converter builds them."""
    made: FrozenDict[K, V] = _new(FrozenDict)
    made._data = data
    return made


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
# Twilio's nested objects are two levels deep; a bound keeps a hostile body from ending in a
# RecursionError (here, or later in to_dict) and makes the limit the same on every path.
MAX_NESTING = 32


def freeze(value: object, depth: int = 0) -> object:
    """A JSON value with every object made a FrozenDict and every array a tuple, deeply;
    ValueError when objects and arrays nest deeper than ``MAX_NESTING``."""
    # Exact type checks first: an isinstance() against the Mapping ABC costs more than the
    # rest of the work for the scalars that make up most of a JSON object.
    kind = type(value)
    if kind in _JSON_SCALARS:
        return value
    if depth >= MAX_NESTING:
        raise ValueError(f"nested objects or arrays deeper than {MAX_NESTING} levels")
    if kind is dict or isinstance(value, Mapping):
        frozen = {}
        for key, item in value.items():  # type: ignore[attr-defined]
            frozen[key] = item if type(item) in _JSON_SCALARS else freeze(item, depth + 1)
        return adopt(frozen)
    if kind is list or kind is tuple:
        return tuple(freeze(item, depth + 1) for item in value)  # type: ignore[attr-defined]
    return value


def by_value(value: object) -> object:
    """attrs ``eq`` key of the nested fields: the value frozen, so that comparing and hashing
    go by value even for a model built by hand from plain dicts and lists. What the converter
    builds is already frozen and is returned as it is."""
    if value is None or type(value) is FrozenDict or type(value) is tuple:
        return value
    return freeze(value)


def sid_pattern(prefix: str) -> re.Pattern[str]:
    """The compiled pattern of a SID with this two-letter prefix (shared, compiled once)."""
    pattern = _PATTERNS.get(prefix)
    if pattern is None:
        pattern = _PATTERNS[prefix] = re.compile(prefix + r"[0-9a-fA-F]{32}")
    return pattern


# The validators _sid_validator made: their answer depends on the value alone.
_SID_CHECKS: set[object] = set()


def _sid_validator(prefix: str | None) -> Any:
    pattern = resource_sid_pattern if prefix is None else sid_pattern(prefix)
    expected = "a SID (two letters, 32 hex digits)" if prefix is None else f"a {prefix} SID"

    def check(instance: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
        if value is not None and (type(value) is not str or not pattern.fullmatch(value)):
            raise ValueError(f"{attribute.name} must be {expected}, got {value!r}")

    _SID_CHECKS.add(check)
    return check


def is_sid_check(validator: object) -> bool:
    """Whether ``validator`` is a SID field's check: a pure function of the value (the
    attribute only names it in the error), so a value it accepted once it accepts again."""
    return validator in _SID_CHECKS


# attrs validator: a SID of any resource type (two letters, 32 hex digits), as the legs of
# an Interaction carry (webhook callback models use it too).
check_resource_sid = _sid_validator(None)


def sid_field(prefix: str | None, *, required: bool = False) -> Any:
    """An attrs field holding a SID with ``prefix`` (None: any two letters), checked against
    its pattern. The prefix is kept in the field's metadata (``sid_prefix``)."""
    metadata = {"sid_prefix": prefix}
    if required:
        return attrs.field(validator=_sid_validator(prefix), metadata=metadata)
    return attrs.field(default=None, validator=_sid_validator(prefix), metadata=metadata)


_ATTRIBUTES = "Attributes:"


def _attribute_block(doc: str) -> list[str]:
    """The indented lines under a docstring's ``Attributes:`` header."""
    lines = inspect.cleandoc(doc).splitlines()
    if _ATTRIBUTES not in lines:
        return []
    block = []
    for line in lines[lines.index(_ATTRIBUTES) + 1 :]:
        if line and not line.startswith(" "):
            break
        block.append(line)
    return block


def inherit_attribute_docs(cls: C) -> C:
    """Append the base class's ``Attributes:`` entries to ``cls``'s own, so ``help()`` on a
    subclass model lists every field it has, inherited ones included."""
    base = cls.__mro__[1]
    inherited = _attribute_block(base.__doc__ or "")
    own = inspect.cleandoc(cls.__doc__ or "").rstrip()
    cls.__doc__ = own + "\n" + "\n".join(inherited).rstrip() + "\n"
    return cls
