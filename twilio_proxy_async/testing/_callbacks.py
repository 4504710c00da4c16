"""Callbacks to the user's app as Twilio sends them: POST, form-encoded, signed, loopback only."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit

import aiohttp
import attrs

from .._hosts import is_loopback
from ..webhooks import compute_signature

# Twilio gives a webhook 15 seconds to answer.
CALLBACK_TIMEOUT = 15.0
# An answer is a status and at most a small JSON or TwiML document; a hostile app cannot
# make the emulator hold more than this.
MAX_ANSWER_BYTES = 64 * 1024
_USER_AGENT = "TwilioProxy/1.1"


class SimulationError(Exception):
    """The simulation cannot run as configured, e.g. a callback URL that is not on loopback."""


def check_callback_url(field: str, url: str) -> None:
    """The emulator calls back to this machine only: it must never become a way to make
    requests, signed with a real-looking token, to other hosts."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (a malformed port raises here, not later)
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or host is None or not is_loopback(host):
        raise SimulationError(
            f"the Service's {field} {url!r} is not on loopback; the emulator only calls back "
            "to localhost, 127.0.0.0/8 or ::1"
        )


@attrs.frozen
class CallbackAnswer:
    """What the app answered; ``status`` is None when it could not be reached in time."""

    status: int | None
    content_type: str = ""
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@attrs.frozen
class SentCallback:
    """One callback the emulator sent, and the answer it got.

    Attributes:
        kind: which callback it was: ``out_of_session``, ``intercept`` or ``callback`` (status).
        url: the URL it was posted to, as configured on the Service.
        fields: the form fields sent, as (name, value) pairs in the order sent.
        status: the HTTP status the app answered; None when it was unreachable or too slow.
    """

    kind: str
    url: str
    fields: tuple[tuple[str, str], ...]
    status: int | None


class CallbackSender:
    """Signs each callback with the emulator's auth token exactly as Twilio does: the URL as
    configured, then every field name and value in sorted order, HMAC-SHA1, base64."""

    def __init__(self, auth_token: str, session: aiohttp.ClientSession) -> None:
        self._auth_token = auth_token
        self._session = session
        self.sent: list[SentCallback] = []

    async def post(self, kind: str, url: str, fields: Sequence[tuple[str, str]]) -> CallbackAnswer:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "X-Twilio-Signature": compute_signature(self._auth_token, url, dict(fields)),
            "I-Twilio-Idempotency-Token": secrets.token_hex(16),
            "User-Agent": _USER_AGENT,
        }
        answer = await self._send(url, urlencode(list(fields)).encode(), headers)
        self.sent.append(SentCallback(kind, url, tuple(fields), answer.status))
        return answer

    async def _send(self, url: str, body: bytes, headers: dict[str, str]) -> CallbackAnswer:
        timeout = aiohttp.ClientTimeout(total=CALLBACK_TIMEOUT)
        try:
            async with self._session.post(
                url, data=body, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                content = await response.content.read(MAX_ANSWER_BYTES)
                return CallbackAnswer(response.status, response.content_type, content)
        except (aiohttp.ClientError, TimeoutError):
            # Twilio treats an unreachable or slow app as no answer, not as a crash.
            return CallbackAnswer(None)
