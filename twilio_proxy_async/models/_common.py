"""Building blocks shared by the models: SID fields, JSON shapes, the tolerant enum alias."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["JSONObject", "Links", "sid_field", "sid_pattern"]

# Nested objects whose shape Twilio does not fix (limits, notifications, media, ...):
# kept exactly as received.
JSONObject = Mapping[str, object]
Links = Mapping[str, str]

_PATTERNS: dict[str, re.Pattern[str]] = {}


def sid_pattern(prefix: str) -> re.Pattern[str]:
    """The compiled pattern of a SID with this two-letter prefix (shared, compiled once)."""
    pattern = _PATTERNS.get(prefix)
    if pattern is None:
        pattern = _PATTERNS[prefix] = re.compile(prefix + r"[0-9a-fA-F]{32}")
    return pattern


def _sid_validator(prefix: str) -> Any:
    pattern = sid_pattern(prefix)

    def check(instance: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
        if value is not None and (type(value) is not str or not pattern.fullmatch(value)):
            raise ValueError(f"{attribute.name} must be a {prefix} SID, got {value!r}")

    return check


def sid_field(prefix: str, *, required: bool = False) -> Any:
    """An attrs field holding a SID with ``prefix``, checked against its pattern."""
    if required:
        return attrs.field(validator=_sid_validator(prefix))
    return attrs.field(default=None, validator=_sid_validator(prefix))
