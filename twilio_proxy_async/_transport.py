"""One request coroutine: headers, form encoding, concurrency limit, timeout, retry, errors.

Every request the SDK makes, list prefetches included, goes through ``Transport.request``,
which sends it through the client's ``HTTPTransport`` (``_http.py``) and owns the client's
one lifecycle state (open, closing, closed).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from urllib.parse import quote, urlencode

import attrs

from ._config import Origins
from ._exceptions import (
    ClientClosedError,
    EventLoopError,
    ResponseTooLargeError,
    TwilioAPIError,
    TwilioConnectionError,
    TwilioError,
    TwilioTimeoutError,
    error_from_response,
)
from ._http import HTTPTransport, RawResponse, ResponseTooLarge, SendError, request_written
from ._retry import RetryPolicy, parse_retry_after

__all__ = ["CallOptions", "Response", "State", "Transport", "encode_form"]

logger = logging.getLogger("twilio_proxy_async")

FormItems = Sequence[tuple[str, str]]


class State(enum.Enum):
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


@attrs.frozen
class Response:
    """A finished 2xx exchange, before the body is interpreted."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    method: str
    url: str


@attrs.frozen(kw_only=True)
class CallOptions:
    """The per-call settings a client (or a ``with_options`` view of it) applies."""

    timeout: float
    retry: RetryPolicy


def encode_form(items: FormItems) -> bytes:
    """application/x-www-form-urlencoded with %20 for spaces, repeated keys kept in order."""
    return urlencode(items, quote_via=quote).encode("ascii")


class Transport:
    """Sends the requests of one client (and its views) through one ``HTTPTransport``."""

    def __init__(
        self,
        *,
        http: HTTPTransport,
        origins: Origins,
        authorization: str,
        user_agent: str,
        options: CallOptions,
        max_concurrency: int,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        self._origins = origins
        self.options = options
        self._sleep = sleep
        self._limit = asyncio.Semaphore(max_concurrency)
        self._state = State.OPEN
        self._headers = {
            "Authorization": authorization,
            "User-Agent": user_agent,
            "Accept": "application/json",
        }
        self._form_headers = {
            **self._headers,
            "Content-Type": "application/x-www-form-urlencoded",
        }

    @property
    def state(self) -> State:
        return self._state

    def __repr__(self) -> str:
        return f"<Transport origins={dict(self._origins.by_product)!r} {self._state.value}>"

    async def aclose(self) -> None:
        """Refuse new requests, close the HTTP transport, and end up closed. Safe twice."""
        if self._state is not State.OPEN:
            return
        self._state = State.CLOSING
        try:
            await self._http.aclose()
        except EventLoopError:
            # Nothing was closed; the client stays usable from the loop it belongs to.
            self._state = State.OPEN
            raise
        finally:
            if self._state is State.CLOSING:
                self._state = State.CLOSED

    def _check_open(self, when: str) -> None:
        if self._state is not State.OPEN:
            raise ClientClosedError(f"the client was closed {when}; create a new Client")

    async def request(
        self,
        method: str,
        url: str,
        *,
        form: FormItems | None = None,
        options: CallOptions | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> Response:
        """Send ``method url`` (``url`` already percent-encoded) and return its 2xx answer.

        ``on_sent`` (the pager's prefetch) is called once the request is written, or at once
        when it has to queue for a ``max_concurrency`` slot, so its caller never waits on that.

        Raises the typed ``TwilioAPIError`` for other statuses and ``TwilioConnectionError``
        when no answer came, after the retries the policy allows.
        """
        self._check_open("before this request")
        if not self._origins.allows(url):
            # Reaching here means a bug upstream; it must never turn into a credential leak.
            raise TwilioError(f"refusing to send credentials to {url!r}")
        settings = options if options is not None else self.options
        retry = settings.retry
        body = encode_form(form) if form is not None else None
        headers = self._form_headers if body is not None else self._headers
        waits = retry.waits()
        attempt = 0
        while True:
            attempt += 1
            failure: TwilioError
            outcome: RawResponse | SendError
            notify = None
            if on_sent is not None and attempt == 1:
                if self._limit.locked():
                    on_sent()
                elif getattr(self._http, "reports_written", False):
                    notify = on_sent
                else:
                    # Any other transport: once this task first yields, as for a lent session.
                    asyncio.get_running_loop().call_soon(on_sent)
            try:
                async with self._limit:
                    # aclose() may have run while this request waited for a slot.
                    self._check_open("before this request")
                    token = request_written.set(notify)
                    try:
                        outcome = await self._http.send(
                            method, url, headers, body, time_limit=settings.timeout
                        )
                    finally:
                        request_written.reset(token)
            except SendError as exc:
                # Handled below, outside this block, so no error we raise has it as context.
                outcome = exc
            if isinstance(outcome, ResponseTooLarge):
                # The same request would bring the same body: not worth another try.
                raise ResponseTooLargeError(method=method, url=url, limit=outcome.limit)
            if isinstance(outcome, SendError):
                self._check_open("while a request was in flight")
                failure = self._connection_error(outcome, method, url, settings.timeout, attempt)
                if not retry.retries_connection_failure(method, request_sent=outcome.sent):
                    raise failure
                retry_after = None
            else:
                if 200 <= outcome.status < 300:
                    return Response(outcome.status, outcome.headers, outcome.body, method, url)
                api_error = error_from_response(
                    status=outcome.status,
                    headers=outcome.headers,
                    body=outcome.body,
                    method=method,
                    url=url,
                    retry_after=parse_retry_after(outcome.headers.get("Retry-After")),
                )
                if not retry.retries_status(method, outcome.status):
                    raise api_error.with_attempts(attempt)
                failure, retry_after = api_error, api_error.retry_after
            fallback = next(waits, None)
            if fallback is None:
                if isinstance(failure, TwilioAPIError):
                    raise failure.with_attempts(attempt)
                raise failure
            delay = retry.wait_for(retry_after, fallback)
            logger.info("retrying %s %s in %.2fs after: %s", method, url, delay, failure)
            await self._sleep(delay)
            self._check_open("while a request waited to retry")

    @staticmethod
    def _connection_error(
        exc: SendError, method: str, url: str, timeout: float, attempt: int
    ) -> TwilioConnectionError:
        if exc.timed_out:
            phase = "could not connect" if not exc.sent else "no complete answer"
            return TwilioTimeoutError(
                f"{phase} within {timeout}s ({exc.reason})",
                method=method,
                url=url,
                attempts=attempt,
            )
        return TwilioConnectionError(exc.reason, method=method, url=url, attempts=attempt)
