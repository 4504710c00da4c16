"""Checking and encoding request arguments, before anything is sent.

Every check raises ``InvalidParameterError`` naming the argument, so bad input never costs
a round trip and never reaches Twilio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import TypeVar
from urllib.parse import quote

from ._exceptions import InvalidParameterError
from ._table import Field
from .models._common import sid_pattern

__all__ = [
    "check_enum",
    "check_identifier",
    "check_limit",
    "check_page_size",
    "check_sid",
    "form_items",
    "format_datetime",
    "path",
    "quote_segment",
]

E = TypeVar("E", bound=Enum)


def check_sid(value: object, prefix: str, name: str) -> str:
    """``value`` if it is a SID with this prefix; otherwise an error before any request."""
    if not isinstance(value, str) or not sid_pattern(prefix).fullmatch(value):
        raise InvalidParameterError(
            f"{name} must be a SID: '{prefix}' followed by 32 hex digits, got {value!r}"
        )
    return value


def check_identifier(value: object, name: str) -> str:
    """A SID or a unique name: any non-empty string (the spec gives the path no pattern)."""
    if not isinstance(value, str) or not value:
        raise InvalidParameterError(f"{name} must be a non-empty string, got {value!r}")
    return value


def check_enum(kind: type[E], value: object, name: str) -> E:
    """A member of ``kind`` from the member itself or its exact string value."""
    if isinstance(value, kind):
        return value
    for member in kind:
        if isinstance(value, str) and member.value == value:
            return member
    allowed = ", ".join(repr(member.value) for member in kind)
    raise InvalidParameterError(f"{name} must be one of {allowed}; got {value!r}")


def check_page_size(page_size: int | None, maximum: int) -> None:
    if page_size is None:
        return
    if type(page_size) is not int or not 1 <= page_size <= maximum:
        raise InvalidParameterError(f"page_size must be an integer from 1 to {maximum}")


def check_limit(limit: int | None) -> None:
    if limit is None:
        return
    if type(limit) is not int or limit < 1:
        raise InvalidParameterError("limit must be a positive integer")


def format_datetime(value: datetime, name: str) -> str:
    """Twilio's UTC form. A naive datetime is ambiguous and refused rather than guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidParameterError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check(field: Field, value: object, name: str) -> list[str]:
    kind = field.kind
    if isinstance(kind, type) and issubclass(kind, Enum):
        return [str(check_enum(kind, value, name).value)]
    if kind is bool:
        if not isinstance(value, bool):
            raise InvalidParameterError(f"{name} must be True or False, got {value!r}")
        return ["true" if value else "false"]
    if kind is int:
        if type(value) is not int:
            raise InvalidParameterError(f"{name} must be an integer, got {value!r}")
        return [str(value)]
    if kind is datetime:
        if not isinstance(value, datetime):
            raise InvalidParameterError(f"{name} must be a datetime, got {value!r}")
        return [format_datetime(value, name)]
    if kind is list:
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise InvalidParameterError(f"{name} must be a sequence of strings, got {value!r}")
        items = list(value)
        if not all(isinstance(item, str) for item in items):
            raise InvalidParameterError(f"{name} must contain only strings, got {value!r}")
        return items
    if field.sid is not None:
        return [check_sid(value, field.sid, name)]
    if field.required:
        return [check_identifier(value, name)]
    if not isinstance(value, str):
        raise InvalidParameterError(f"{name} must be a string, got {value!r}")
    return [value]


def form_items(fields: Sequence[Field], values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Checked form pairs in the order of ``fields``, each read from ``values`` by its Python
    name; None means "not given" and is left out (refused for a required field), a list
    repeats its key."""
    pairs: list[tuple[str, str]] = []
    for field in fields:
        value = values[field.name]
        if value is None and not field.required:
            continue
        pairs.extend((field.wire, encoded) for encoded in _check(field, value, field.name))
    return pairs


def path(template: str, *segments: str) -> str:
    """Fill ``{}`` placeholders with fully percent-encoded segments (no '/', '?' or '#' pass)."""
    return template.format(*(quote_segment(segment) for segment in segments))


def quote_segment(segment: str) -> str:
    """One path segment, fully percent-encoded (a SID passes as it is)."""
    # SIDs are plain ASCII letters and digits: nothing to encode, and skipping quote() is
    # measurable when thousands of fetches run concurrently.
    if segment.isascii() and segment.isalnum():
        return segment
    return quote(segment, safe="")
