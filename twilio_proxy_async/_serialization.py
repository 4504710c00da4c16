"""The one serializer: models to JSON-ready dicts with Twilio's field names, and back.

``to_dict`` writes what the API would send: datetimes as ``...Z`` strings in UTC, enums as
their values (an unknown value Twilio sent stays the raw string it was), nested objects as
plain dicts and arrays as lists. ``from_dict`` reads such a dict, or Twilio's own JSON,
through the same converter the client uses on responses, so ``from_dict(type(m),
to_dict(m)) == m`` for every model the SDK builds. The bulk export writes its records with
``to_dict`` too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import TypeVar

import attrs
import cattrs

from ._exceptions import InvalidParameterError
from ._record_hooks import record_structurer
from .models._common import MAX_NESTING

__all__ = ["format_timestamp", "from_dict", "to_dict"]

M = TypeVar("M", bound=attrs.AttrsInstance)

_SCALARS = frozenset({str, int, bool, float, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def format_timestamp(value: datetime) -> str:
    """``value`` in UTC as ISO 8601 with a ``Z``: ``2015-07-30T20:00:00Z`` (Twilio's form),
    with ``.ffffff`` only when there are microseconds, so nothing is lost. A naive datetime
    is taken as UTC, as the converter does on the way in."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # An aware UTC datetime's isoformat() always ends in "+00:00".
    return value.isoformat()[:-6] + "Z"


def _json_value(value: object, depth: int = 0) -> object:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_timestamp(value)
    if depth >= MAX_NESTING and isinstance(value, Mapping | list | tuple):
        # The converter never builds deeper values; a hand-built one gets a clear error
        # instead of a RecursionError.
        raise ValueError(f"nested objects or arrays deeper than {MAX_NESTING} levels")
    if isinstance(value, Mapping):
        return {key: _json_value(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item, depth + 1) for item in value]
    if attrs.has(type(value)):
        return to_dict(value)  # type: ignore[arg-type]
    # A str or int subclass other than an enum (rare) still encodes as JSON.
    return value


def to_dict(model: attrs.AttrsInstance) -> dict[str, object]:
    """``model`` as a JSON-ready dict with Twilio's field names (``json.dumps`` takes it).

    Args:
        model: any model of this package (``Service``, ``Session``, ``Participant``,
            ``Interaction``, ``MessageInteraction``, ``PhoneNumber``, ``ChatService``, ...)
            or a pager's ``Cursor``.

    Returns:
        A new plain dict, one key per field, None included: datetimes become UTC strings
        ending in ``Z`` (``2015-07-30T20:00:00Z``), enums their string values, the read-only
        nested mappings plain dicts, tuples lists.

    Raises:
        TypeError: ``model`` is not an attrs instance.
        ValueError: a nested value of a model built by hand nests deeper than 32 levels
            (the SDK never builds one).
    """
    names = _FIELD_NAMES.get(type(model))
    if names is None:
        if not attrs.has(type(model)):
            raise TypeError(f"to_dict() takes a model, got {type(model).__name__}")
        names = _FIELD_NAMES[type(model)] = tuple(f.name for f in attrs.fields(type(model)))
    scalars = _SCALARS
    # Most fields are strings, numbers or None: checked inline, no call per field.
    return {
        name: value if type(value := getattr(model, name)) in scalars else _json_value(value)
        for name in names
    }


def _describe(exc: BaseException, kind: type | None) -> str:
    # A model's own check (a SID pattern) explains itself; cattrs' wording covers the rest.
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)
    return cattrs.v.format_exception(exc, kind)


def _reason(exc: Exception) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(exc, path="data", format_exception=_describe))
    return str(exc) or type(exc).__name__


def from_dict(model: type[M], data: Mapping[str, object]) -> M:
    """Build ``model`` from a dict as ``to_dict`` writes it, or as Twilio's API sends it.

    Args:
        model: the model class to build, e.g. ``Session`` (or ``Cursor``).
        data: field name -> JSON value: strings for datetimes (ISO 8601; ``Z`` or any
            offset, converted to UTC) and enums (an unknown value is kept as the string),
            dicts for nested objects, lists for arrays. Keys the model does not have are
            ignored, as they are in Twilio's answers, since Twilio adds fields over time.

    Returns:
        The frozen model, checked exactly as a response body is: exact JSON types, SID
        patterns, required fields.

    Raises:
        InvalidParameterError: ``data`` does not fit ``model``; the message names the field.
        TypeError: ``model`` is not a model class, or ``data`` is not a mapping.
    """
    if not (isinstance(model, type) and attrs.has(model)):
        raise TypeError(f"from_dict() takes a model class, got {model!r}")
    if not isinstance(data, Mapping):
        raise TypeError(f"from_dict() takes a mapping, got {type(data).__name__}")
    try:
        return record_structurer(model)(data if type(data) is dict else dict(data))
    except Exception as exc:
        raise InvalidParameterError(f"not a valid {model.__name__}: {_reason(exc)}") from None
