"""A pure ASGI middleware checking Twilio's signature: Starlette, FastAPI, Litestar, ...

No framework is imported: it speaks the ASGI protocol itself. It reads the whole body (up to a
bound), checks it, then hands the app the same body through its ``receive``, so the app's own
``await request.form()`` / ``.body()`` / ``.json()`` still work.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from ._signature import SIGNATURE_HEADER, checked_base_url, loggable, validate_request

__all__ = ["IDEMPOTENCY_HEADER", "TwilioSignatureMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"

logger = logging.getLogger("twilio_proxy_async.webhooks")

# aiohttp's default request-size limit: Twilio's callbacks are a few kilobytes.
_DEFAULT_MAX_BODY = 1024 * 1024
# Answers to Proxy's callbacks (an empty 200/403, a short JSON or TwiML) fit comfortably.
_MAX_REMEMBERED_ANSWER = 8 * 1024
_MAX_TOKEN_LENGTH = 256


class TwilioSignatureMiddleware:
    """Answer 403 to any HTTP request without a valid ``X-Twilio-Signature``.

    The same rules as the aiohttp middleware: ``public_base_url`` (recommended) names the
    origin configured in Twilio; else ``trust_forwarded`` takes the last
    ``X-Forwarded-Proto``/``X-Forwarded-Host`` entries; else the ``Host`` header is trusted.
    JSON callbacks are bound through their ``bodySHA256`` query value. A body over
    ``max_body_size`` bytes gets 413 unread. WebSocket connections are refused; lifespan and
    other scopes pass through.

    ``replay_cache_size > 0`` turns on replay protection: a request whose
    ``I-Twilio-Idempotency-Token`` or signature was already answered is not passed to the app
    again but gets the first answer replayed (so a retried intercept that was blocked stays
    blocked), from a cache holding that many keys, least recently used dropped first. A
    duplicate arriving while the first is still being answered waits for it. An answer that
    was a 5xx, raised, or exceeded 8 KiB is not remembered, so a retry reaches the app.

    Args:
        app: the ASGI application serving the webhook routes, called for requests that pass.
        auth_token: your account's auth token (the HMAC-SHA1 key); a non-empty string, else
            ``ValueError``.
        public_base_url: the origin Twilio is configured to call (``https://host[:port]``, maybe
            with a path prefix). Default None: use the forwarded values or the ``Host`` header.
        trust_forwarded: take the origin from the last ``X-Forwarded-Proto``/``X-Forwarded-Host``
            entries (only behind a proxy that appends them). Default False.
        max_body_size: the largest request body read, in bytes; a bigger one gets 413. Default
            1 MiB.
        replay_cache_size: how many answered requests to remember for replay protection, 0 or
            more. Default 0: no replay protection.
    """

    def __init__(
        self,
        app: ASGIApp,
        auth_token: str,
        *,
        public_base_url: str | None = None,
        trust_forwarded: bool = False,
        max_body_size: int = _DEFAULT_MAX_BODY,
        replay_cache_size: int = 0,
    ) -> None:
        if not isinstance(auth_token, str) or not auth_token:
            raise ValueError("auth_token must be a non-empty string")
        if public_base_url is not None:
            checked_base_url(public_base_url)
        if type(max_body_size) is not int or max_body_size < 1:
            raise ValueError("max_body_size must be a positive integer")
        if type(replay_cache_size) is not int or replay_cache_size < 0:
            raise ValueError("replay_cache_size must be a non-negative integer")
        self.app = app
        self._auth_token = auth_token
        self._public_base_url = public_base_url
        self._trust_forwarded = trust_forwarded
        self._max_body_size = max_body_size
        self._replays = _ReplayCache(replay_cache_size) if replay_cache_size else None

    def __repr__(self) -> str:
        return f"TwilioSignatureMiddleware({self.app!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # Twilio never opens one, and the signature scheme cannot cover one.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        body = await self._read_body(headers, receive, send)
        if body is None:
            return
        path, query = _request_target(scope)
        url = _request_url(scope, headers, path, query)
        if not validate_request(
            self._auth_token,
            url=url,
            headers=headers,
            body=body,
            public_base_url=self._public_base_url,
            trust_forwarded=self._trust_forwarded,
        ):
            logger.warning(
                "Rejected %s %s: missing or invalid %s",
                loggable(str(scope.get("method", ""))),
                loggable(path),
                SIGNATURE_HEADER,
            )
            await _respond(send, 403, b"Twilio signature validation failed")
            return
        replay = _replay_receive(body, receive)
        if self._replays is None:
            await self.app(scope, replay, send)
            return
        keys = _replay_keys(headers)
        await self._replays.answer(keys, lambda sender: self.app(scope, replay, sender), send)

    async def _read_body(
        self, headers: dict[str, str], receive: Receive, send: Send
    ) -> bytes | None:
        """The whole body, or None once answered (too large) or the client left."""
        declared = headers.get("content-length", "").strip()
        # ASCII digits only ("²".isdigit() holds), and no int() of a 5,000-digit string.
        too_long = len(declared) > len(str(self._max_body_size))
        if (
            declared.isascii()
            and declared.isdigit()
            and (too_long or int(declared) > self._max_body_size)
        ):
            await _respond(send, 413, b"Request body too large")
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body_size:
                await _respond(send, 413, b"Request body too large")
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


class _ReplayCache:
    """The first answer given to each idempotency token and signature, most recent kept."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._answers: OrderedDict[str, list[Message]] = OrderedDict()
        self._pending: dict[str, asyncio.Event] = {}

    async def answer(
        self, keys: list[str], run_app: Callable[[Send], Awaitable[None]], send: Send
    ) -> None:
        while True:
            for key in keys:
                if key in self._answers:
                    self._answers.move_to_end(key)
                    for message in self._answers[key]:
                        await send(message)
                    return
            waiting = next((self._pending[key] for key in keys if key in self._pending), None)
            if waiting is None:
                break
            await waiting.wait()
            # The first finished: replay its answer, or, if it was not remembered, answer anew.
            if not any(key in self._answers for key in keys):
                break
        done = asyncio.Event()
        for key in keys:
            self._pending[key] = done
        recorder = _Recorder(send)
        try:
            await run_app(recorder)
        finally:
            for key in keys:
                self._pending.pop(key, None)
            done.set()
        if recorder.messages is not None and recorder.status < 500:
            for key in keys:
                self._answers[key] = recorder.messages
                self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)


class _Recorder:
    """Forwards the app's answer and keeps a copy while it stays small enough to replay."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.messages: list[Message] | None = []
        self._size = 0

    async def __call__(self, message: Message) -> None:
        if self.messages is not None:
            if message["type"] == "http.response.start":
                self.status = int(message.get("status", 500))
            self._size += len(message.get("body", b""))
            if self._size > _MAX_REMEMBERED_ANSWER or message["type"] not in (
                "http.response.start",
                "http.response.body",
            ):
                self.messages = None
            else:
                self.messages.append(dict(message))
        await self._send(message)


def _replay_keys(headers: dict[str, str]) -> list[str]:
    # The token alone is not enough: it is outside the signature, so whoever replays a
    # captured request can change it; the signature itself cannot be changed.
    keys = ["signature:" + headers.get(SIGNATURE_HEADER.lower(), "")]
    token = headers.get(IDEMPOTENCY_HEADER.lower())
    if token and len(token) <= _MAX_TOKEN_LENGTH:
        keys.append("token:" + token)
    return keys


def _headers(scope: Scope) -> dict[str, str]:
    """Header names lowercased; a repeated header's values joined by commas (RFC 9110)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = bytes(raw_name).decode("latin-1").lower()
        value = bytes(raw_value).decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _request_target(scope: Scope) -> tuple[str, str]:
    """Path and query as received, byte-for-byte when the server gives ``raw_path``."""
    raw_path = scope.get("raw_path")
    if raw_path:
        # Some servers (httpx's ASGI transport) leave the query on raw_path; a raw "?" can
        # only start it. Undecodable bytes survive as surrogates, which no signature matches.
        path = bytes(raw_path).partition(b"?")[0].decode("utf-8", "surrogateescape")
    else:
        # Servers without raw_path hand out the decoded path: quote it back as Twilio would.
        path = quote(str(scope.get("root_path", "")) + str(scope.get("path", "/")), safe="/")
    query = bytes(scope.get("query_string", b"")).decode("utf-8", "surrogateescape")
    return path, query


def _request_url(scope: Scope, headers: dict[str, str], path: str, query: str) -> str:
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    scheme = str(scope.get("scheme", "http"))
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "")


def _replay_receive(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` giving the app the body already read, then the client's own events."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _respond(send: Send, status: int, text: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(text)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": text})
