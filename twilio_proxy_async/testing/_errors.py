"""Twilio-shaped error replies and the request/reply types the API handlers share."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import attrs

INVALID_PARAMETER = 20001
AUTHENTICATE = 20003
METHOD_NOT_ALLOWED = 20004
NOT_FOUND = 20404
TOO_MANY_REQUESTS = 20429
INTERNAL_ERROR = 20500
SERVICE_UNAVAILABLE = 20503
DUPLICATE_PARTICIPANT = 80103
DUPLICATE_SERVICE_NAME = 80602
NON_UNIQUE_SESSION_NAME = 80603

_VERSION = re.compile(r"^/v[0-9]+(?=/|$)")


def error_body(status: int, code: int, message: str) -> bytes:
    return json.dumps(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
    ).encode()


class ApiError(Exception):
    """Raised anywhere below a handler; the server turns it into Twilio's error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> bytes:
        return error_body(self.status, self.code, self.message)


def not_found(path: str) -> ApiError:
    """Twilio names the resource without the API version: ``/Services/KS...``."""
    path = _VERSION.sub("", path) or "/"
    return ApiError(404, NOT_FOUND, f"The requested resource {path} was not found")


def invalid(message: str) -> ApiError:
    return ApiError(400, INVALID_PARAMETER, message)


@attrs.frozen
class Reply:
    status: int
    body: bytes = b""


@attrs.frozen
class ApiRequest:
    """One authenticated request as the handlers see it: path split and unquoted, and the
    origin (scheme and host) the client reached the emulator by."""

    method: str
    path: str
    params: tuple[str, ...]
    query: Sequence[tuple[str, str]]
    form: Sequence[tuple[str, str]]
    origin: str
