"""Typed access to url-encoded form fields, failing with Twilio's 400 on bad input.

Every field is named by its entry in the SDK's table (``.._table``): its wire name, its
enum values and its SID prefix come from there, never from a second copy here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum

from .._table import Field
from ..models._common import sid_pattern
from ._errors import invalid

_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
# ASCII digits only: int() would also take " 5", "1_0" and other scripts' digits.
_INTEGER = re.compile(r"-?[0-9]{1,10}")
# Twilio's integer parameters are 32-bit.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def is_sid(prefix: str, value: str) -> bool:
    return sid_pattern(prefix).fullmatch(value) is not None


def sid_prefix(field: Field) -> str:
    """The prefix of the SIDs a SID field holds."""
    if field.sid is None:
        raise LookupError(f"{field.wire} holds no SID")
    return field.sid


class Form:
    """Twilio reads the first value of a repeated scalar field; lists use every value."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._pairs = pairs

    def has(self, field: Field) -> bool:
        return any(key == field.wire for key, _ in self._pairs)

    def getall(self, field: Field) -> list[str]:
        return [value for key, value in self._pairs if key == field.wire]

    def text(self, field: Field) -> str | None:
        for key, value in self._pairs:
            if key == field.wire:
                return value
        return None

    def required(self, field: Field) -> str:
        value = self.text(field)
        if value is None or value == "":
            raise invalid(f"Missing required parameter {field.wire} in the post body")
        return value

    def integer(self, field: Field) -> int | None:
        value = self.text(field)
        if value is None:
            return None
        number = int(value) if _INTEGER.fullmatch(value) else None
        if number is None or not _INT_MIN <= number <= _INT_MAX:
            raise invalid(f"{field.wire} must be an integer, got {value!r}")
        return number

    def boolean(self, field: Field) -> bool | None:
        value = self.text(field)
        if value is None:
            return None
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise invalid(f"{field.wire} must be true or false, got {value!r}")
        return lowered == "true"

    def choice(self, field: Field) -> str | None:
        """One of the values of the field's enum."""
        assert isinstance(field.kind, type) and issubclass(field.kind, Enum), field
        allowed = [str(member.value) for member in field.kind]
        value = self.text(field)
        if value is not None and value not in allowed:
            raise invalid(f"{field.wire} must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def sid(self, field: Field) -> str | None:
        value = self.text(field)
        if value is not None and not is_sid(sid_prefix(field), value):
            raise invalid(f"{field.wire} is not a valid SID: {value!r}")
        return value

    def timestamp(self, field: Field) -> str | None:
        value = self.text(field)
        return None if value is None else parse_timestamp(field.wire, value)

    def phone_number(self, field: Field) -> str | None:
        value = self.text(field)
        if value is not None and not _E164.match(value):
            raise invalid(f"{field.wire} must be an E.164 phone number, got {value!r}")
        return value


def parse_timestamp(name: str, value: str) -> str:
    """Accepts any ISO 8601 instant and answers it the way Twilio prints dates."""
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        # An offset can carry an instant past year 9999 or before year 1: OverflowError.
        moment = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid(f"{name} must be an ISO 8601 date-time, got {value!r}") from None
    # isoformat pads the year to four digits; strftime("%Y") prints year 1 as "1".
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
