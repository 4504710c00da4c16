"""List pages: PageSize/Page/PageToken handling and byte-level page assembly."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import struct
from collections.abc import Callable, Sequence
from urllib.parse import quote

from ._collection import Collection, R
from ._errors import ApiRequest, Reply, invalid

DEFAULT_PAGE_SIZE = 50

_FORWARD = "PA"
_BACKWARD = "PB"
# 8-byte sequence + 8-byte MAC = 16 bytes, which base64 always pads with "==": clients
# must send the token back exactly as served (percent-encoded), never re-quoted.
_SEQ = struct.Struct(">Q")
_MAC_BYTES = 8


class PageTokens:
    """Opaque tokens bound to one list path, so a tampered or foreign token is a 400."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, direction: str, path: str, seq: int) -> bytes:
        message = f"{direction}|{path}|{seq}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, direction: str, path: str, seq: int) -> str:
        raw = _SEQ.pack(seq) + self._mac(direction, path, seq)
        return direction + base64.urlsafe_b64encode(raw).decode()

    def decode(self, path: str, token: str) -> tuple[str, int]:
        direction, body = token[:2], token[2:]
        try:
            raw = base64.b64decode(body, altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise invalid(f"Invalid PageToken {token!r}") from None
        if direction not in (_FORWARD, _BACKWARD) or len(raw) != _SEQ.size + _MAC_BYTES:
            raise invalid(f"Invalid PageToken {token!r}")
        (seq,) = _SEQ.unpack(raw[: _SEQ.size])
        if not hmac.compare_digest(raw[_SEQ.size :], self._mac(direction, path, seq)):
            raise invalid(f"Invalid PageToken {token!r}")
        return direction, seq


def _first(query: Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in query:
        if key == name:
            return value
    return None


def _int_param(
    query: Sequence[tuple[str, str]], name: str, default: int, low: int, high: int
) -> int:
    raw = _first(query, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise invalid(f"{name} must be between {low} and {high}, got {value}")
    return value


def list_page(
    request: ApiRequest,
    *,
    origin: str,
    tokens: PageTokens,
    key: str,
    items: Collection[R],
    render: Callable[[R], bytes],
    max_page_size: int,
) -> Reply:
    query, path = request.query, request.path
    size = _int_param(query, "PageSize", DEFAULT_PAGE_SIZE, 1, max_page_size)
    page = _int_param(query, "Page", 0, 0, 2**31 - 1)
    token = _first(query, "PageToken")
    if token is None:
        start = 0
        stop = min(size, len(items))
    else:
        direction, seq = tokens.decode(path, token)
        if direction == _FORWARD:
            start = items.index_after(seq)
            stop = min(start + size, len(items))
        else:
            stop = items.index_before(seq)
            start = max(0, stop - size)

    base = f"{origin}{path}?PageSize={size}"
    current = f"{base}&Page={page}"
    if token is not None:
        current += f"&PageToken={quote(token, safe='')}"
    next_url = None
    if stop < len(items):
        next_token = tokens.encode(_FORWARD, path, items.seq_at(stop) - 1)
        next_url = f"{base}&Page={page + 1}&PageToken={quote(next_token, safe='')}"
    previous_url = None
    if start > 0:
        previous_token = tokens.encode(_BACKWARD, path, items.seq_at(start))
        previous_url = f"{base}&Page={max(page - 1, 0)}&PageToken={quote(previous_token, safe='')}"
    meta = {
        "first_page_url": f"{base}&Page=0",
        "key": key,
        "next_page_url": next_url,
        "page": page,
        "page_size": size,
        "previous_page_url": previous_url,
        "url": current,
    }
    records = b",".join([render(item) for item in items.slice(start, stop)])
    body = b'{"%s":[%s],"meta":%s}' % (key.encode(), records, json.dumps(meta).encode())
    return Reply(200, body)
