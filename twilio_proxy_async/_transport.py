"""One request coroutine: headers, form encoding, concurrency limit, timeout, retry, errors.

Every request the SDK makes, list prefetches included, goes through ``Transport.request``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import aiohttp
import attrs
from multidict import CIMultiDictProxy
from yarl import URL

from ._config import Origins
from ._exceptions import (
    ClientClosedError,
    TwilioAPIError,
    TwilioConnectionError,
    TwilioError,
    TwilioTimeoutError,
    error_from_response,
)
from ._retry import RetryPolicy, parse_retry_after

__all__ = ["SENT_TRACE", "Response", "Transport", "encode_form"]

logger = logging.getLogger("twilio_proxy_async")

FormItems = Sequence[tuple[str, str]]


@attrs.frozen
class Response:
    """A finished 2xx exchange, before the body is interpreted."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    method: str
    url: str


def encode_form(items: FormItems) -> bytes:
    """application/x-www-form-urlencoded with %20 for spaces, repeated keys kept in order."""
    return urlencode(items, quote_via=quote).encode("ascii")


class _SentSignal:
    """The ``trace_request_ctx`` of a request whose caller wants to know it went out."""

    __slots__ = ("notify",)

    def __init__(self, notify: Callable[[], None]) -> None:
        self.notify = notify


async def _on_request_headers_sent(
    _session: aiohttp.ClientSession,
    context: SimpleNamespace,
    _params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    # aiohttp fires this in the same step that hands the request's bytes to the socket
    # (a bodiless GET is written right after, with no await between), so whoever this wakes
    # runs only once the request is on the wire.
    signal = context.trace_request_ctx
    if isinstance(signal, _SentSignal):
        signal.notify()


# Carried by the session a Client makes for itself: how ``request(on_sent=...)`` learns the
# moment a request was written.
SENT_TRACE = aiohttp.TraceConfig()
SENT_TRACE.on_request_headers_sent.append(_on_request_headers_sent)
SENT_TRACE.freeze()


# aiohttp failures that happen before a byte of the request could reach the server.
_NOT_SENT: tuple[type[BaseException], ...] = (aiohttp.ClientConnectorError,)


class Transport:
    """Sends requests for one client; owns nothing but borrows the session it is handed."""

    def __init__(
        self,
        *,
        session: Callable[[], Awaitable[aiohttp.ClientSession]],
        origins: Origins,
        authorization: str,
        user_agent: str,
        timeout: float,
        retry: RetryPolicy,
        max_concurrency: int,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._session = session
        self._origins = origins
        self._timeout = timeout
        self._client_timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry
        self._sleep = sleep
        self._limit = asyncio.Semaphore(max_concurrency)
        self._headers = {
            "Authorization": authorization,
            "User-Agent": user_agent,
            "Accept": "application/json",
        }
        self._form_headers = {
            **self._headers,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.closed = False

    def __repr__(self) -> str:
        return f"<Transport origins={dict(self._origins.by_product)!r} timeout={self._timeout}>"

    async def request(
        self,
        method: str,
        url: str,
        *,
        form: FormItems | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> Response:
        """Send ``method url`` (``url`` already percent-encoded) and return its 2xx answer.

        ``on_sent`` (the pager's prefetch) is called once the request is written, or as soon
        as it has to queue for a ``max_concurrency`` slot, so its caller never waits on that.

        Raises the typed ``TwilioAPIError`` for other statuses and ``TwilioConnectionError``
        when no answer came, after the retries the policy allows.
        """
        if self.closed:
            raise ClientClosedError("this client is closed; create a new Client")
        if not self._origins.allows(url):
            # Reaching here means a bug upstream; it must never turn into a credential leak.
            raise TwilioError(f"refusing to send credentials to {url!r}")
        body = encode_form(form) if form is not None else None
        headers = self._form_headers if body is not None else self._headers
        waits = self._retry.waits()
        while True:
            try:
                return await self._attempt(method, url, body, headers, on_sent)
            except TwilioAPIError as exc:
                if not self._retry.retries_status(method, exc.status):
                    raise
                failure: TwilioError = exc
                retry_after = exc.retry_after
            except _Unanswered as exc:
                if self.closed:
                    # aclose() cut the connection; saying so beats a retry wait or a
                    # "connector is closed" that depends on max_retries.
                    raise ClientClosedError(
                        "the client was closed while a request was in flight"
                    ) from exc.cause
                if not self._retry.retries_connection_failure(method, request_sent=exc.sent):
                    raise exc.error from exc.cause
                failure = exc.error
                # Kept for the final raise, which happens outside this handler.
                failure.__cause__ = exc.cause
                retry_after = None
            fallback = next(waits, None)
            if fallback is None:
                raise failure
            delay = self._retry.wait_for(retry_after, fallback)
            logger.info("retrying %s %s in %.2fs after: %s", method, url, delay, failure)
            await self._sleep(delay)
            if self.closed:
                raise ClientClosedError("the client was closed while a request waited to retry")

    async def _attempt(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        on_sent: Callable[[], None] | None,
    ) -> Response:
        session = await self._session()
        if session.closed:
            # Only a lent session can be closed under an open client; aiohttp would raise a
            # bare RuntimeError for it.
            raise ClientClosedError("the aiohttp session lent to this client has been closed")
        trace_context: _SentSignal | None = None
        if on_sent is not None:
            if self._limit.locked():
                on_sent()
            elif SENT_TRACE in session.trace_configs:
                trace_context = _SentSignal(on_sent)
            else:
                # A lent session has no trace of ours. Callbacks run in order once this task
                # first yields: on a pooled connection that is after the request was written.
                asyncio.get_running_loop().call_soon(on_sent)
        async with self._limit:
            try:
                # aiohttp's total timeout runs from connecting to the last byte of the body,
                # and replaces (rather than adds to) the timer a session would start anyway.
                async with session.request(
                    method,
                    URL(url, encoded=True),
                    data=body,
                    headers=headers,
                    allow_redirects=False,
                    timeout=self._client_timeout,
                    trace_request_ctx=trace_context,
                ) as answer:
                    payload = await answer.read()
            except TimeoutError as exc:
                error: TwilioConnectionError = TwilioTimeoutError(
                    f"no complete answer within {self._timeout}s", method=method, url=url
                )
                raise _Unanswered(error, exc, sent=True) from None
            except aiohttp.ClientError as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                error = TwilioConnectionError(reason, method=method, url=url)
                raise _Unanswered(error, exc, sent=not isinstance(exc, _NOT_SENT)) from None
        if 200 <= answer.status < 300:
            return Response(answer.status, answer.headers, payload, method, url)
        raise error_from_response(
            status=answer.status,
            headers=answer.headers,
            body=payload,
            method=method,
            url=url,
            retry_after=parse_retry_after(answer.headers.get("Retry-After")),
        )


class _Unanswered(Exception):
    """Carries a connection failure and whether the request may have been sent."""

    def __init__(self, error: TwilioConnectionError, cause: BaseException, *, sent: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.cause = cause
        self.sent = sent
