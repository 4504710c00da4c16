"""What your app answers to Proxy's intercept and out-of-session callbacks.

Each helper returns a :class:`WebhookAnswer`: a plain ``(status, headers, body)`` tuple any
framework can send (``Response(body, status_code=status, headers=headers)``), with
:meth:`WebhookAnswer.to_aiohttp` for aiohttp handlers.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from aiohttp import web

from .._exceptions import InvalidParameterError
from .._params import check_enum, format_datetime
from ..models.session import SessionMode

__all__ = [
    "WebhookAnswer",
    "allow_interaction",
    "auto_create_session",
    "block_interaction",
    "twiml_answer",
]


class WebhookAnswer(NamedTuple):
    """An HTTP answer to a Twilio callback: status, headers, body.

    Attributes:
        status: the HTTP status to answer with (200; 403 blocks an intercepted interaction).
        headers: the response headers: a ``Content-Type`` (JSON or XML) when there is a body.
        body: the encoded response body, empty when the status says it all.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes

    def to_aiohttp(self) -> web.Response:
        """The same answer as an aiohttp response, ready to return from a handler."""
        return web.Response(status=self.status, headers=dict(self.headers), body=self.body)


def allow_interaction() -> WebhookAnswer:
    """Let an intercepted interaction through (Proxy treats any answer but 403 so)."""
    return WebhookAnswer(200, {}, b"")


def block_interaction() -> WebhookAnswer:
    """Block an intercepted interaction: Proxy aborts it on a 403 and delivers nothing."""
    return WebhookAnswer(403, {}, b"")


def auto_create_session(
    participant_identifier: str,
    *,
    participant_proxy_identifier: str | None = None,
    unique_name: str | None = None,
    mode: SessionMode | str | None = None,
    ttl: int | None = None,
    date_expiry: datetime | None = None,
) -> WebhookAnswer:
    """Ask Proxy to create a Session between the sender and ``participant_identifier``.

    Proxy then goes on as if the sender had reached an open Session. The JSON is Twilio's
    auto-create format (https://www.twilio.com/docs/proxy/out-session-callback-response-guide):
    only the fields given are sent, and Proxy chooses the rest (the mode from the
    participants, a non-reserved proxy number from the pool). ``date_expiry`` must be aware;
    it is sent in UTC. Raises ``InvalidParameterError`` before anything is answered.

    Args:
        participant_identifier: the other participant's phone number (E.164, e.g. ``+15558675310``)
            or channel address; a non-empty string.
        participant_proxy_identifier: the proxy number to reach that participant through (E.164).
            Default None: Proxy picks one from the Service's pool.
        unique_name: an application-defined name for the new Session, unique within the Service.
            Default None: no name.
        mode: the channels the Session carries, a :class:`SessionMode` or its value. Default None:
            Proxy derives it from the participants.
        ttl: seconds of inactivity after which the Session closes, a non-negative integer (0 never
            expires). Default None: the Service's default.
        date_expiry: the aware datetime at which the Session closes, sent in UTC. Default None: no
            fixed end.
    """
    document: dict[str, object] = {
        "participantIdentifier": _text(participant_identifier, "participant_identifier")
    }
    if participant_proxy_identifier is not None:
        document["participantProxyIdentifier"] = _text(
            participant_proxy_identifier, "participant_proxy_identifier"
        )
    if unique_name is not None:
        document["uniqueName"] = _text(unique_name, "unique_name")
    if mode is not None:
        document["mode"] = check_enum(SessionMode, mode, "mode").value
    if ttl is not None:
        if type(ttl) is not int or ttl < 0:
            raise InvalidParameterError(f"ttl must be a non-negative integer, got {ttl!r}")
        document["ttl"] = ttl
    if date_expiry is not None:
        if not isinstance(date_expiry, datetime):
            raise InvalidParameterError("date_expiry must be a datetime")
        document["dateExpiry"] = format_datetime(date_expiry, "date_expiry")
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return WebhookAnswer(200, {"Content-Type": "application/json"}, body)


def twiml_answer(twiml: str) -> WebhookAnswer:
    """Answer an out-of-session message or call with TwiML (e.g. an automated reply).

    ``twiml`` must be one well-formed ``<Response>`` document; it is sent as is.

    Args:
        twiml: one well-formed TwiML document whose root is ``<Response>``, e.g.
            ``<Response><Message>Closed</Message></Response>``.
    """
    if not isinstance(twiml, str):
        raise InvalidParameterError("twiml must be a string holding a <Response> document")
    try:
        root = ElementTree.fromstring(twiml)
    except ElementTree.ParseError as exc:
        raise InvalidParameterError(f"twiml is not well-formed XML: {exc}") from None
    if root.tag != "Response":
        raise InvalidParameterError(f"twiml must have a <Response> root, not <{root.tag}>")
    return WebhookAnswer(200, {"Content-Type": "application/xml"}, twiml.encode("utf-8"))


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(f"{name} must be a non-empty string, got {value!r}")
    return value
