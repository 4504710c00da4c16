"""Typed access to url-encoded form fields, failing with Twilio's 400 on bad input."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from ._errors import invalid

_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
# ASCII digits only: int() would also take " 5", "1_0" and other scripts' digits.
_INTEGER = re.compile(r"-?[0-9]{1,10}")
# Twilio's integer parameters are 32-bit.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def sid_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{prefix}[0-9a-fA-F]{{32}}$")


class Form:
    """Twilio reads the first value of a repeated scalar field; lists use every value."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._pairs = pairs

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self._pairs)

    def getall(self, name: str) -> list[str]:
        return [value for key, value in self._pairs if key == name]

    def text(self, name: str) -> str | None:
        for key, value in self._pairs:
            if key == name:
                return value
        return None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None or value == "":
            raise invalid(f"Missing required parameter {name} in the post body")
        return value

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        number = int(value) if _INTEGER.fullmatch(value) else None
        if number is None or not _INT_MIN <= number <= _INT_MAX:
            raise invalid(f"{name} must be an integer, got {value!r}")
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise invalid(f"{name} must be true or false, got {value!r}")
        return lowered == "true"

    def choice(self, name: str, allowed: Collection[str]) -> str | None:
        value = self.text(name)
        if value is not None and value not in allowed:
            raise invalid(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def sid(self, name: str, pattern: re.Pattern[str]) -> str | None:
        value = self.text(name)
        if value is not None and not pattern.match(value):
            raise invalid(f"{name} is not a valid SID: {value!r}")
        return value

    def timestamp(self, name: str) -> str | None:
        value = self.text(name)
        return None if value is None else parse_timestamp(name, value)

    def phone_number(self, name: str) -> str | None:
        value = self.text(name)
        if value is not None and not _E164.match(value):
            raise invalid(f"{name} must be an E.164 phone number, got {value!r}")
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
