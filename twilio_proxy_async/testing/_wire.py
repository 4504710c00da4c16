"""What goes on the wire: live counters, Twilio's response headers, and broken answers."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import attrs
from aiohttp import web

from ._errors import TOO_MANY_REQUESTS, ApiError, Reply

BAD_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


@attrs.define
class EmulatorStats:
    """Live counters; ``faults_injected`` is keyed by the Faults field that fired.

    Attributes:
        requests_total: every request received since start, answered or not.
        in_flight: the requests being handled right now.
        max_in_flight: the most requests ever handled at once (to check a client's limiter).
        responses_by_status: how many answers went out, keyed by HTTP status code.
        faults_injected: how many times each fault fired, keyed by its ``Faults`` field name
            (``latency`` or ``stall`` for delays, ``concurrency_limit`` for its 429s).
    """

    requests_total: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    responses_by_status: dict[int, int] = attrs.field(factory=dict)
    faults_injected: dict[str, int] = attrs.field(factory=dict)


def random_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


class Wire:
    """Builds every response, counting each under its status."""

    def __init__(self, stats: EmulatorStats) -> None:
        self.stats = stats

    def count_fault(self, name: str) -> None:
        injected = self.stats.faults_injected
        injected[name] = injected.get(name, 0) + 1

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        # Twilio reports the account's requests in flight on its answers, this one included;
        # an adaptive client can read its headroom from it before any 429.
        headers = {
            "Twilio-Request-Id": random_sid("RQ"),
            "Twilio-Concurrent-Requests": str(self.stats.in_flight),
        }
        if extra:
            headers.update(extra)
        return headers

    def _count(self, status: int) -> None:
        statuses = self.stats.responses_by_status
        statuses[status] = statuses.get(status, 0) + 1

    def raw(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        self._count(status)
        headers = self._headers(extra_headers)
        if content_type is not None:
            headers["Content-Type"] = content_type
        return web.Response(status=status, body=body or None, headers=headers)

    def reply(self, reply: Reply) -> web.Response:
        extra = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if reply.status == 401 else None
        content_type = None if reply.status == 204 else "application/json"
        return self.raw(reply.status, reply.body, content_type, extra)

    def error(self, error: ApiError, extra: Mapping[str, str] | None = None) -> web.Response:
        return self.raw(error.status, error.body(), "application/json", extra)

    def throttled(self, fault: str | None, message: str, retry_after: str | None) -> web.Response:
        if fault is not None:
            self.count_fault(fault)
        extra = None if retry_after is None else {"Retry-After": retry_after}
        return self.error(ApiError(429, TOO_MANY_REQUESTS, message), extra)

    @staticmethod
    def drop(request: web.Request) -> web.Response:
        """Closes the connection before any response byte; aiohttp then skips the reply."""
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=204)

    async def reset_mid_body(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        body = reply.body
        if not body:
            return self.drop(request)
        self._count(reply.status)
        response = web.StreamResponse(status=reply.status, headers=self._headers())
        response.content_type = "application/json"
        response.content_length = len(body)
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        if request.transport is not None:
            request.transport.abort()
        return response
