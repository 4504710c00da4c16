"""One request coroutine: headers, form encoding, concurrency limit, deadlines, retry, errors.

Every request the SDK makes, list prefetches included, goes through ``Transport.request``,
which sends it through the client's ``HTTPTransport`` (``_http.py``). A client and its
``with_options`` views share one ``_Shared`` (HTTP transport, limiter, hooks, and the one
lifecycle state: open, closing, closed); each view has its own ``CallOptions``.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
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
from ._hooks import Hooks, RequestEvent
from ._http import HTTPTransport, RawResponse, ResponseTooLarge, SendError, request_written
from ._limiter import ConcurrencyLimiter, Ticket
from ._logging import logger, path_and_query
from ._retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after

__all__ = ["CallOptions", "Response", "State", "Transport", "encode_form"]

FormItems = Sequence[tuple[str, str]]

# Said on a create (a non-idempotent POST) that may have reached Twilio before it failed.
MAY_EXIST = (
    "the request may have reached Twilio, so the resource may exist: look for it (fetch it "
    "by unique name, or list the collection) before creating it again"
)


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
    total_timeout: float | None = None


def encode_form(items: FormItems) -> bytes:
    """application/x-www-form-urlencoded with %20 for spaces, repeated keys kept in order."""
    return urlencode(items, quote_via=quote).encode("ascii")


class _Shared:
    """What a client and all its views share."""

    def __init__(
        self,
        http: HTTPTransport,
        origins: Origins,
        limiter: ConcurrencyLimiter,
        hooks: Hooks,
        headers: dict[str, str],
    ) -> None:
        self.http = http
        self.origins = origins
        self.limiter = limiter
        self.hooks = hooks
        self.headers = headers
        self.form_headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        self.state = State.OPEN
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def check_open(self, when: str) -> None:
        if self.state is not State.OPEN:
            raise ClientClosedError(f"the client was closed {when}; create a new Client")


class Transport:
    """Sends the requests of one client, or of one ``with_options`` view of it."""

    # Slots: assigning a name it does not have (an old test's ``_sleep``) fails loudly
    # instead of being silently ignored.
    __slots__ = ("_shared", "options")

    def __init__(
        self,
        *,
        http: HTTPTransport,
        origins: Origins,
        authorization: str,
        user_agent: str,
        options: CallOptions,
        limiter: ConcurrencyLimiter,
        hooks: Hooks | None = None,
    ) -> None:
        headers = {
            "Authorization": authorization,
            "User-Agent": user_agent,
            "Accept": "application/json",
        }
        self._shared = _Shared(http, origins, limiter, hooks or Hooks(), headers)
        self.options = options

    def with_options(self, options: CallOptions) -> Transport:
        """A view: the same connections, limiter, hooks and state; other call settings."""
        view = object.__new__(Transport)
        view._shared = self._shared
        view.options = options
        return view

    @property
    def state(self) -> State:
        return self._shared.state

    @property
    def limiter(self) -> ConcurrencyLimiter:
        return self._shared.limiter

    @property
    def retry_sleep(self) -> Callable[[float], Awaitable[None]]:
        """What waits between attempts (``asyncio.sleep``); ``testing.instant_retry_waits``
        replaces it. Shared, so a client and its views wait the same way."""
        return self._shared.sleep

    @retry_sleep.setter
    def retry_sleep(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        self._shared.sleep = sleep

    def __repr__(self) -> str:
        origins = dict(self._shared.origins.by_product)
        return f"<Transport origins={origins!r} {self._shared.state.value}>"

    async def aclose(self) -> None:
        """Refuse new requests, close the HTTP transport, and end up closed. Safe twice."""
        shared = self._shared
        if shared.state is not State.OPEN:
            return
        shared.state = State.CLOSING
        try:
            await shared.http.aclose()
        except EventLoopError:
            # Nothing was closed; the client stays usable from the loop it belongs to.
            shared.state = State.OPEN
            raise
        finally:
            if shared.state is State.CLOSING:
                shared.state = State.CLOSED

    async def request(
        self,
        method: str,
        url: str,
        *,
        form: FormItems | None = None,
        idempotent: bool | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> Response:
        """Send ``method url`` (``url`` already percent-encoded) and return its 2xx answer.

        ``idempotent`` says whether repeating the operation is harmless (an update is, a
        create is not); by default the HTTP method decides. ``on_sent`` (the pager's
        prefetch) is called once the request is written, or at once when it has to queue
        for a place in the limit, so its caller never waits on that. Raises the typed
        ``TwilioAPIError`` for other statuses and ``TwilioConnectionError`` when no answer
        came, after the retries the policy and ``total_timeout`` allow.
        """
        shared = self._shared
        shared.check_open("before this request")
        if not shared.origins.allows(url):
            # Reaching here means a bug upstream; it must never turn into a credential leak.
            raise TwilioError(f"refusing to send credentials to {url!r}")
        options = self.options
        retry = options.retry
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        body = encode_form(form) if form is not None else None
        headers = shared.form_headers if body is not None else shared.headers
        hooks = shared.hooks
        deadline = None
        if options.total_timeout is not None:
            deadline = time.monotonic() + options.total_timeout
        # Made on the first failure: most requests never need their backoff waits.
        waits: Iterator[float] | None = None
        attempt = 0
        while True:
            attempt += 1
            time_limit = options.timeout
            if deadline is not None:
                time_limit = min(time_limit, deadline - time.monotonic())
                if time_limit <= 0:
                    # aiohttp reads a zero timeout as none at all.
                    raise TwilioTimeoutError(
                        f"total_timeout={options.total_timeout}s ran out",
                        method=method,
                        url=url,
                        attempts=attempt - 1,
                    )
            if hooks.wants("request"):
                await hooks.emit("request", RequestEvent(method=method, url=url, attempt=attempt))
            notify = None
            if on_sent is not None and attempt == 1:
                if shared.limiter.full:
                    on_sent()
                elif getattr(shared.http, "reports_written", False):
                    notify = on_sent
                else:
                    # Any other transport: once this task first yields, as for a lent session.
                    asyncio.get_running_loop().call_soon(on_sent)
            started = time.perf_counter()
            outcome = await self._attempt(method, url, headers, body, time_limit, deadline, notify)
            elapsed = time.perf_counter() - started
            failure: TwilioAPIError | TwilioConnectionError
            if isinstance(outcome, ResponseTooLarge):
                # The same request would bring the same body: not worth another try.
                raise ResponseTooLargeError(method=method, url=url, limit=outcome.limit)
            if isinstance(outcome, SendError):
                _log_attempt(method, url, outcome.reason, None, attempt, elapsed)
                shared.check_open("while a request was in flight")
                failure = _connection_error(outcome, method, url, time_limit, options, attempt)
                retry_after = None
                retried = retry.retries_connection_failure(
                    request_sent=outcome.sent, idempotent=idempotent
                )
                may_exist = outcome.sent and not idempotent and method == "POST"
            else:
                request_id = outcome.headers.get("Twilio-Request-Id")
                _log_attempt(method, url, outcome.status, request_id, attempt, elapsed)
                if hooks.wants("response"):
                    event = RequestEvent(
                        method=method,
                        url=url,
                        attempt=attempt,
                        status=outcome.status,
                        request_id=request_id,
                        elapsed=elapsed,
                    )
                    await hooks.emit("response", event)
                if 200 <= outcome.status < 300:
                    return Response(outcome.status, outcome.headers, outcome.body, method, url)
                failure = error_from_response(
                    status=outcome.status,
                    headers=outcome.headers,
                    body=outcome.body,
                    method=method,
                    url=url,
                    retry_after=parse_retry_after(outcome.headers.get("Retry-After")),
                )
                retry_after = failure.retry_after
                retried = retry.retries_status(outcome.status, idempotent=idempotent)
                may_exist = outcome.status >= 500 and not idempotent and method == "POST"
            fallback = None
            if retried:
                if waits is None:
                    waits = retry.waits()
                fallback = next(waits, None)
            if fallback is None:
                raise failure.finish(attempts=attempt, note=MAY_EXIST if may_exist else None)
            delay = retry.wait_for(retry_after, fallback)
            if deadline is not None and time.monotonic() + delay >= deadline:
                note = (
                    f"total_timeout={options.total_timeout}s leaves no time for a {delay:.3g}s wait"
                )
                raise failure.finish(attempts=attempt, note=note)
            if hooks.wants("retry"):
                event = RequestEvent(
                    method=method,
                    url=url,
                    attempt=attempt,
                    status=getattr(failure, "status", None),
                    request_id=getattr(failure, "request_id", None),
                    elapsed=elapsed,
                    error=failure,
                    wait=delay,
                )
                await hooks.emit("retry", event)
            logger.info(
                "retrying %s %s in %.2fs (attempt %d failed: %s)",
                method,
                path_and_query(url),
                delay,
                attempt,
                failure,
            )
            await shared.sleep(delay)
            shared.check_open("while a request waited to retry")

    async def _attempt(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        time_limit: float,
        deadline: float | None,
        notify: Callable[[], None] | None,
    ) -> RawResponse | SendError:
        shared = self._shared
        limiter = shared.limiter
        ticket = limiter.try_acquire() or await _wait_for_place(limiter, deadline)
        if ticket is None:
            # Returned as a SendError: it never left.
            return SendError("no free place in the concurrency limit", sent=False, timed_out=True)
        outcome: RawResponse | SendError
        try:
            # aclose() may have run while this request waited for a place.
            shared.check_open("before this request")
            token = request_written.set(notify)
            try:
                outcome = await shared.http.send(method, url, headers, body, time_limit=time_limit)
            except SendError as exc:
                # Returned, not raised, so no error the caller sees has it as context.
                outcome = exc
            finally:
                request_written.reset(token)
            if isinstance(outcome, RawResponse):
                limiter.observe(ticket, outcome.status, outcome.headers)
        finally:
            limiter.release()
        return outcome


async def _wait_for_place(limiter: ConcurrencyLimiter, deadline: float | None) -> Ticket | None:
    """The limiter's ticket once a place frees up, or None when ``deadline`` came first."""
    try:
        if deadline is None:
            return await limiter.acquire()
        async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
            return await limiter.acquire()
    except TimeoutError:
        return None


def _connection_error(
    exc: SendError,
    method: str,
    url: str,
    time_limit: float,
    options: CallOptions,
    attempt: int,
) -> TwilioConnectionError:
    if not exc.timed_out:
        return TwilioConnectionError(exc.reason, method=method, url=url, attempts=attempt)
    phase = "no complete answer" if exc.sent else "could not connect"
    within = f"{time_limit:.3g}s"
    if time_limit < options.timeout:
        within += f" (what was left of total_timeout={options.total_timeout}s)"
    return TwilioTimeoutError(
        f"{phase} within {within}: {exc.reason}", method=method, url=url, attempts=attempt
    )


def _log_attempt(
    method: str,
    url: str,
    outcome: int | str,
    request_id: str | None,
    attempt: int,
    elapsed: float,
) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %s [request %s] attempt %d, %.1f ms",
            method,
            path_and_query(url),
            outcome,
            request_id or "-",
            attempt,
            elapsed * 1000,
        )
