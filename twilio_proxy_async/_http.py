"""The transport seam: one HTTP exchange, as bytes in and bytes out.

``HTTPTransport.send(method, url, headers, body, time_limit=...)`` returns a ``RawResponse``
(status, headers, body) for any status, or raises ``SendError`` when no usable answer came.
Everything above it (retries, error mapping, models) is plain Python over those three
values; everything aiohttp-specific lives in ``AiohttpTransport`` below, including the one
table that decides which aiohttp failures mean "the request never left".

A test or a benchmark swaps the network out by handing ``Client(transport=...)`` any object
with these two coroutines.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Protocol

import aiohttp
import attrs
from yarl import URL

from ._exceptions import ClientClosedError, EventLoopError

__all__ = [
    "MAX_RESPONSE_BYTES",
    "AiohttpTransport",
    "HTTPTransport",
    "RawResponse",
    "ResponseTooLarge",
    "SendError",
    "request_written",
]

# The largest page Twilio sends (1,000 Proxy records, or 100 Chat Services) is a few MB;
# 32 MiB leaves room for any record Twilio could grow while keeping a hostile server from
# inflating a gzip bomb or streaming an endless body into memory.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024

# The connect phase gets this share of the per-request timeout, so a connection that never
# opens is reported by aiohttp's connect timer (the request did not leave, and even a POST
# may be retried) rather than by the total timer a moment later (the request may have left).
_CONNECT_SHARE = 0.9

# An error message quotes at most this much of what aiohttp said.
_REASON_LIMIT = 300


# Set (by Transport, for the pager's prefetch) while a request whose caller wants to know the
# moment it was written is being sent; an HTTPTransport with ``reports_written = True`` calls
# it then, as AiohttpTransport does.
request_written: ContextVar[Callable[[], None] | None] = ContextVar("request_written", default=None)


async def _on_request_headers_sent(
    _session: aiohttp.ClientSession,
    _context: SimpleNamespace,
    _params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    # aiohttp fires this in the same step that hands the request's bytes to the socket (a
    # bodiless GET is written right after, with no await between), so whoever this wakes
    # runs only once the request is on the wire.
    notify = request_written.get()
    if notify is not None:
        notify()


# Carried only by the second session AiohttpTransport makes for the requests that want to
# know (the pager's prefetches): any trace config makes aiohttp build a context and await
# about eight signal sends per request, which costs a fetch about 16 us of CPU.
_WRITTEN_TRACE = aiohttp.TraceConfig()
_WRITTEN_TRACE.on_request_headers_sent.append(_on_request_headers_sent)
_WRITTEN_TRACE.freeze()


@attrs.frozen
class RawResponse:
    """What came back: any status, the headers, and the whole (decoded) body.

    Attributes:
        status: the HTTP status code, any value (errors are mapped above the transport).
        headers: the response headers, looked up case-insensitively by the client.
        body: the whole body, with any content encoding (gzip) already undone.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes


class SendError(Exception):
    """No usable answer. ``sent`` is False only when the request cannot have reached the
    server (the connection never opened), which makes any method safe to send again.

    Args:
        reason: what went wrong, in words; never holds a credential.
        sent: whether the request may have reached the server (False only when the
            connection never opened, so even a POST can be retried).
        timed_out: whether the failure was a timeout (connecting or reading). Default False.
    """

    def __init__(self, reason: str, *, sent: bool, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent
        self.timed_out = timed_out


class ResponseTooLarge(SendError):
    """The answer passed ``max_response_bytes``; reading stopped there."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the response passed the {limit:,}-byte limit", sent=True)
        self.limit = limit


class HTTPTransport(Protocol):
    """Anything that can carry one exchange; ``Client(transport=...)`` accepts it."""

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        time_limit: float,
    ) -> RawResponse:
        """Carry one exchange and return its answer, whatever its status.

        Raises ``SendError`` when no usable answer came (``sent`` says whether the request
        may have reached the server).

        Args:
            method: the HTTP method, upper case (``GET``, ``POST`` or ``DELETE``).
            url: the absolute request URL, query string included.
            headers: the request headers to send as given (``Authorization`` among them,
                which must never reach an error message or a log).
            body: the encoded request body (a form for ``POST``), or None for no body.
            time_limit: seconds the whole exchange may take, connecting and reading the
                body included; past it the exchange fails with a timed-out ``SendError``.
        """

    async def aclose(self) -> None:
        """Release what the transport holds (connections, sessions); called once, at the end."""


# The explicit table (first match wins): which aiohttp failures happen before any byte of
# the request can have left. Everything else that aiohttp raises (a reset, a bad status
# line, a cut body, a read timeout) may come after the server acted on the request.
_NOT_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ConnectionTimeoutError,  # also a TimeoutError: it must be matched before those
    aiohttp.ClientConnectorError,  # refused, DNS, TLS handshake, proxy connect
)
_TIMEOUTS: tuple[type[BaseException], ...] = (
    aiohttp.ConnectionTimeoutError,
    aiohttp.SocketTimeoutError,
    TimeoutError,  # aiohttp's total timer
)


def _reason(exc: BaseException, authorization: str | None) -> str:
    # Only the type and str() are kept, never the exception: a ClientResponseError's repr
    # holds request_info.headers, the Authorization value among them.
    text = str(exc)
    if authorization and authorization in text:
        text = text.replace(authorization, "<redacted>")
    if len(text) > _REASON_LIMIT:
        text = text[:_REASON_LIMIT] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@functools.lru_cache(maxsize=32)
def _client_timeout(seconds: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds, connect=seconds * _CONNECT_SHARE)


class AiohttpTransport:
    """``HTTPTransport`` over aiohttp: its own session (made inside the running loop on
    first use, closed by ``aclose``) or a lent one (used, never closed).

    Args:
        session: an open ``aiohttp.ClientSession`` to lend the transport; it is used as is
            and never closed here. Default None: the transport makes and owns its own.
        max_response_bytes: the largest body read, in bytes, before the exchange fails
            with ``ResponseTooLarge`` (bounds memory). Default 32 MiB.
    """

    reports_written = True

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._lent = session
        self._own: aiohttp.ClientSession | None = None
        # Shares _own's connector (one pool of connections), adds the written-signal trace.
        self._traced: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.max_response_bytes = max_response_bytes

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session requests go through, once there is one (a prefetch's traced session
        shares its connections)."""
        return self._lent if self._lent is not None else self._own

    @property
    def owns_open_session(self) -> bool:
        """Whether this transport made a session that is not closed yet."""
        return self._own is not None and not self._own.closed

    def _check_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            # aiohttp would fail later with a bare "Event loop is closed" or hang on a
            # future bound to the other loop.
            raise EventLoopError(
                "this client was first used in another event loop; aiohttp sessions belong "
                "to one loop: create the Client inside the loop that uses it"
            )

    def _session_for(self, loop: asyncio.AbstractEventLoop, traced: bool) -> aiohttp.ClientSession:
        self._check_loop(loop)
        if self._lent is not None:
            if self._lent.closed:
                raise ClientClosedError("the aiohttp session lent to this client has been closed")
            return self._lent
        if self._own is None:
            self._own = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=0),
                # Redirects are never followed; cookies have no use for an API client.
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
            )
        if not traced:
            return self._own
        if self._traced is None:
            self._traced = aiohttp.ClientSession(
                connector=self._own.connector,
                # Closing _own closes the connector, which closes this session too.
                connector_owner=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
                # Tells the pager when its prefetch is on the wire (see request_written).
                trace_configs=[_WRITTEN_TRACE],
            )
        return self._traced

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        time_limit: float,
    ) -> RawResponse:
        """Send one request through the session; any status is an answer.

        Raises ``SendError`` (``sent=False`` only if the connection never opened) on a
        network failure or timeout, ``ResponseTooLarge`` past ``max_response_bytes``.

        Args:
            method: the HTTP method, upper case (``GET``, ``POST`` or ``DELETE``).
            url: the absolute request URL, query string included.
            headers: the request headers to send as given (``Authorization`` among them,
                which must never reach an error message or a log).
            body: the encoded request body (a form for ``POST``), or None for no body.
            time_limit: seconds the whole exchange may take, connecting and reading the
                body included; past it the exchange fails with a timed-out ``SendError``.
        """
        loop = asyncio.get_running_loop()
        notify = request_written.get()
        session = self._session_for(loop, notify is not None)
        if notify is not None and session is self._lent:
            # A lent session carries no trace of ours. Callbacks run in order once this task
            # first yields: on a pooled connection, that is after the request was written.
            loop.call_soon(notify)
        failure: SendError
        try:
            return await self._exchange(session, method, url, headers, body, time_limit)
        except _NOT_SENT as exc:
            failure = SendError(
                _reason(exc, headers.get("Authorization")),
                sent=False,
                timed_out=isinstance(exc, _TIMEOUTS),
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            failure = SendError(
                _reason(exc, headers.get("Authorization")),
                sent=True,
                timed_out=isinstance(exc, _TIMEOUTS),
            )
        # Raised here, outside the handler, so neither __cause__ nor __context__ links
        # back to the aiohttp exception.
        raise failure

    async def _exchange(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        time_limit: float,
    ) -> RawResponse:
        limit = self.max_response_bytes
        async with session.request(
            method,
            # Server-supplied next-page URLs arrive encoded; re-quoting would change a token.
            URL(url, encoded=True),
            data=body,
            headers=headers,
            allow_redirects=False,
            # A lent session may raise on 4xx/5xx; the SDK maps statuses itself.
            raise_for_status=False,
            # The total timer runs from connecting to the body's last byte, and replaces
            # (rather than adds to) the one a session would start anyway.
            timeout=_client_timeout(time_limit),
        ) as answer:
            declared = answer.content_length
            if declared is not None and declared > limit:
                answer.close()
                raise ResponseTooLarge(limit)
            chunks: list[bytes] = []
            size = 0
            # Counted after decompression: a small gzip body may inflate a thousandfold.
            async for chunk in answer.content.iter_any():
                size += len(chunk)
                if size > limit:
                    answer.close()
                    raise ResponseTooLarge(limit)
                chunks.append(chunk)
            return RawResponse(answer.status, answer.headers, b"".join(chunks))

    async def aclose(self) -> None:
        """Close the session this transport made; a lent one is left open."""
        if self._own is not None:
            self._check_loop(asyncio.get_running_loop())
        own, self._own = self._own, None
        traced, self._traced = self._traced, None
        # The owner first: a request in flight on the traced session then meets a closed
        # connector (a connection error), not a session that already dropped it.
        if own is not None:
            await own.close()
        if traced is not None:
            await traced.close()
