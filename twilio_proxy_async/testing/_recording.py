"""The opt-in, bounded log of authenticated requests a test can inspect afterwards."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import overload

import attrs

# Enough for any test's assertions; a long-running emulator (the CLI, a shared dev
# machine) must not grow with its traffic, so both the count and the bytes are capped.
DEFAULT_MAX_REQUESTS = 10_000
MAX_RECORDED_BYTES = 64 * 1024 * 1024

# Never kept: the recorded log is printed in test failures and pasted into bug reports.
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


@attrs.frozen
class RecordedRequest:
    """One authenticated request as the emulator received it, credentials left out.

    Attributes:
        method: the HTTP method, upper case (``GET``, ``POST``, ``DELETE``).
        path: the request path, percent-decoded (``/v1/Services/KS.../Sessions``).
        query: the decoded query parameters as (name, value) pairs, in order.
        raw_query: the query string exactly as sent, without the ``?``.
        form: the decoded form fields of the body as (name, value) pairs, in order.
        headers: the request headers, without ``Authorization``, ``Proxy-Authorization``
            and ``Cookie``.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    raw_query: str
    form: tuple[tuple[str, str], ...]
    headers: dict[str, str]


def recorded_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: value for name, value in headers.items() if name.lower() not in _CREDENTIAL_HEADERS
    }


def _size(request: RecordedRequest) -> int:
    pairs = (*request.query, *request.form, *request.headers.items())
    return len(request.path) + len(request.raw_query) + sum(len(k) + len(v) for k, v in pairs)


class RequestLog(Sequence[RecordedRequest]):
    """The most recent requests, oldest first: past ``max_requests`` entries or
    ``max_bytes`` of text the oldest are forgotten (``dropped`` counts them).

    Args:
        max_requests: the most requests kept, 1 or more; ``ValueError`` otherwise.
        max_bytes: the most text kept, in bytes of paths, queries, forms and headers, 1 or
            more (the newest request is kept whatever its size). Default 64 MiB.
    """

    def __init__(self, max_requests: int, max_bytes: int = MAX_RECORDED_BYTES) -> None:
        if max_requests < 1 or max_bytes < 1:
            raise ValueError("a request log keeps at least one request and one byte")
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.dropped = 0
        self._entries: deque[tuple[RecordedRequest, int]] = deque()
        self._bytes = 0

    def append(self, request: RecordedRequest) -> None:
        """Keep ``request``, forgetting the oldest past either bound.

        Args:
            request: the request just received, its credential headers already left out.
        """
        size = _size(request)
        self._entries.append((request, size))
        self._bytes += size
        while len(self._entries) > self.max_requests or (
            self._bytes > self.max_bytes and len(self._entries) > 1
        ):
            _, forgotten = self._entries.popleft()
            self._bytes -= forgotten
            self.dropped += 1

    def clear(self) -> None:
        """Forget every request kept (``dropped`` is left as it is)."""
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return (request for request, _ in self._entries)

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...

    @overload
    def __getitem__(self, index: slice) -> list[RecordedRequest]: ...

    def __getitem__(self, index: int | slice) -> RecordedRequest | list[RecordedRequest]:
        if isinstance(index, slice):
            return list(self)[index]
        return self._entries[index][0]

    def __repr__(self) -> str:
        return f"RequestLog({list(self)!r})"
