"""Exceptions raised by twilio_proxy_async.

Every exception the SDK raises on purpose derives from ``TwilioError``::

    TwilioError
     ├── TwilioAPIError                 an HTTP answer that is not a success
     │    ├── BadRequestError           400
     │    ├── AuthenticationError       401
     │    ├── PermissionDeniedError     403
     │    ├── NotFoundError             404
     │    ├── ConflictError             409
     │    ├── RateLimitError            429
     │    └── ServerError               5xx
     ├── TwilioConnectionError          no usable answer: refused, reset, ...
     │    └── TwilioTimeoutError        the per-request timeout ran out
     ├── ResponseTooLargeError          an answer past the size limit; reading stopped
     ├── ResponseValidationError        a 2xx body that does not fit the model
     ├── PaginationError                a next-page URL the pager will not follow
     ├── ClientClosedError              (also a RuntimeError) used after ``aclose()``
     ├── EventLoopError                 (also a RuntimeError) used from a second event loop
     ├── InvalidParameterError          (also a ValueError) bad input, nothing was sent
     ├── ConfigurationError             (also a ValueError) bad client settings
     └── ExportError                    (in _export) the bulk export cannot start or go on

``error_from_response`` turns a finished HTTP exchange into the matching
``TwilioAPIError``; it is a pure function so it is tested without a server.

Every error pickles and copies with all its attributes (a worker process can raise one),
and none holds a credential or links (``__cause__``/``__context__``) to an exception that
does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Self

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "EventLoopError",
    "InvalidParameterError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServerError",
    "TwilioAPIError",
    "TwilioConnectionError",
    "TwilioError",
    "TwilioTimeoutError",
    "error_from_response",
]

# An error body can be a megabyte of HTML; messages quote only its start.
_BODY_EXCERPT = 200
# Twilio error codes are five digits; a longer "code" is not one (and int() of thousands of
# digits raises).
_CODE_DIGITS = 9


def _rebuild(cls: type[TwilioError], args: tuple[object, ...], state: dict[str, object]) -> object:
    error = cls.__new__(cls, *args)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class TwilioError(Exception):
    """Root of every exception raised by this SDK."""

    def __reduce__(self) -> tuple[object, ...]:
        # The default reduce calls cls(*args), which keyword-only constructors refuse, so a
        # pickled error could not come back (and broke a ProcessPoolExecutor).
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _after(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""


def _noted(note: str | None) -> str:
    return f"; {note}" if note else ""


class TwilioAPIError(TwilioError):
    """Twilio (or something in front of it) answered with a non-success status."""

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        message: str,
        more_info: str | None,
        details: Mapping[str, object] | None,
        request_id: str | None,
        method: str,
        url: str,
        body: bytes,
        retry_after: float | None = None,
        attempts: int = 1,
        note: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.more_info = more_info
        self.details = details
        self.request_id = request_id
        self.method = method
        self.url = url
        self.body = body
        self.retry_after = retry_after
        self.attempts = attempts
        self.note = note
        super().__init__(self._summary())

    def _summary(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        request = f" [request {self.request_id}]" if self.request_id else ""
        return (
            f"{self.method} {self.url} -> HTTP {self.status}{code}{_after(self.attempts)}: "
            f"{self.message}{request}{_noted(self.note)}"
        )

    def finish(self, *, attempts: int, note: str | None = None) -> Self:
        """The same error once the call is over: how many attempts it made, and a hint."""
        self.attempts = attempts
        self.note = note
        self.args = (self._summary(),)
        return self

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, method={self.method!r}, url={self.url!r}, "
            f"request_id={self.request_id!r})"
        )


class BadRequestError(TwilioAPIError):
    """HTTP 400: Twilio refused the parameters."""


class AuthenticationError(TwilioAPIError):
    """HTTP 401: the credentials were not accepted."""


class PermissionDeniedError(TwilioAPIError):
    """HTTP 403: the credentials may not do this."""


class NotFoundError(TwilioAPIError):
    """HTTP 404: no such resource."""


class ConflictError(TwilioAPIError):
    """HTTP 409: the request conflicts with the resource's state (a duplicate unique name)."""


class RateLimitError(TwilioAPIError):
    """HTTP 429: too many requests or too many concurrent requests (code 20429)."""


class ServerError(TwilioAPIError):
    """HTTP 5xx: Twilio, or a proxy in front of it, failed."""


class TwilioConnectionError(TwilioError):
    """The request got no usable answer: refused, reset, or cut off mid-body."""

    def __init__(
        self, reason: str, *, method: str, url: str, attempts: int = 1, note: str | None = None
    ) -> None:
        self.reason = reason
        self.method = method
        self.url = url
        self.attempts = attempts
        self.note = note
        super().__init__(self._summary())

    def _summary(self) -> str:
        return f"{self.method} {self.url}{_after(self.attempts)}: {self.reason}{_noted(self.note)}"

    def finish(self, *, attempts: int, note: str | None = None) -> Self:
        """The same error once the call is over: how many attempts it made, and a hint."""
        self.attempts = attempts
        self.note = note
        self.args = (self._summary(),)
        return self


class TwilioTimeoutError(TwilioConnectionError):
    """No complete answer arrived within the client's per-request timeout."""


class ResponseTooLargeError(TwilioError):
    """The answer passed the size limit (``limit`` bytes, after decompression); the SDK
    stopped reading there and dropped the connection, so memory stays bounded."""

    def __init__(self, *, method: str, url: str, limit: int) -> None:
        self.method = method
        self.url = url
        self.limit = limit
        super().__init__(
            f"{method} {url}: the response passed {limit:,} bytes; reading stopped there"
        )


class ResponseValidationError(TwilioError):
    """A success answer whose body is not JSON or does not fit the expected model.

    ``body`` keeps the raw bytes so nothing is lost.
    """

    def __init__(self, reason: str, *, method: str, url: str, status: int, body: bytes) -> None:
        self.reason = reason
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        super().__init__(f"{method} {url} -> HTTP {status}: unexpected response body: {reason}")


class PaginationError(TwilioError):
    """A next-page URL was refused: another origin, or a page seen before (a loop)."""


class ClientClosedError(TwilioError, RuntimeError):
    """The client was closed; create a new one."""


class EventLoopError(TwilioError, RuntimeError):
    """The client was used from another event loop than the one it first ran in."""


class InvalidParameterError(TwilioError, ValueError):
    """An argument failed validation; no request was sent."""


class ConfigurationError(TwilioError, ValueError):
    """The client's settings or credentials are missing or invalid."""


_BY_STATUS: dict[int, type[TwilioAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def _error_class(status: int) -> type[TwilioAPIError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, TwilioAPIError)


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    # isdigit() alone accepts "²" and other digits int() refuses.
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value) if len(value) <= _CODE_DIGITS else None
    if isinstance(value, int) and abs(value) < 10**_CODE_DIGITS:
        return value
    return None


def _as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _excerpt(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    if len(text) > _BODY_EXCERPT:
        return text[:_BODY_EXCERPT] + "..."
    return text


def error_from_response(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    method: str,
    url: str,
    retry_after: float | None = None,
) -> TwilioAPIError:
    """Build the typed error for a non-success answer; never raises on an odd body."""
    parsed: object = None
    try:
        parsed = json.loads(body) if body else None
    except (ValueError, RecursionError):
        # Not JSON, or nested deeper than the parser recurses: the raw body is kept.
        parsed = None
    code: int | None = None
    more_info: str | None = None
    details: Mapping[str, object] | None = None
    message: str | None = None
    if isinstance(parsed, dict):
        code = _as_int(parsed.get("code"))
        message = _as_str(parsed.get("message"))
        more_info = _as_str(parsed.get("more_info")) or _as_str(parsed.get("moreInfo"))
        raw_details = parsed.get("details")
        if isinstance(raw_details, dict):
            details = raw_details
    if message is None:
        message = _excerpt(body) or f"HTTP {status} with an empty body"
    request_id = headers.get("Twilio-Request-Id")
    return _error_class(status)(
        status=status,
        code=code,
        message=message,
        more_info=more_info,
        details=details,
        request_id=request_id,
        method=method,
        url=url,
        body=body,
        retry_after=retry_after,
    )
