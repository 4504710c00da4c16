"""The retry policy: which failures are retried, and how long to wait before each retry.

This is the only place that decides. Twilio does not process a request it answers with 429,
so a 429 is safe to retry for every operation. A 5xx, a reset connection or a timeout may
come after Twilio acted, so only idempotent operations are retried then: reads, deletes, and
updates (a POST to an existing resource only sets fields; sending it twice leaves the same
state). Re-sending a create could create a duplicate, so a create is never retried then.
Which operation a request is comes from the resource method (``idempotent``); without it,
the HTTP method decides.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable, Iterator

import attrs
import backoff

__all__ = ["RetryPolicy", "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS"})


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP date.

    None when absent or unreadable (the caller then falls back to backoff); never negative.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - now()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How many times, and how long between, a failed request is tried again.

    ``max_retries`` of 0 turns retrying off. Waits grow exponentially from ``backoff_base``
    (full jitter, capped at ``max_backoff``); a server's ``Retry-After`` is honoured up to
    ``max_retry_after``.
    """

    max_retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    backoff_base: float = attrs.field(default=0.5, validator=attrs.validators.gt(0))
    max_backoff: float = attrs.field(default=20.0, validator=attrs.validators.gt(0))
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))

    def retries_status(self, status: int, *, idempotent: bool) -> bool:
        """Whether an answer with this status is worth another try."""
        if status == 429:
            return True
        return status >= 500 and idempotent

    def retries_connection_failure(self, *, request_sent: bool, idempotent: bool) -> bool:
        """Whether a failure without an answer is worth another try.

        A connection that could not be opened carried nothing, so any operation may go
        again; once the request may have reached Twilio only idempotent ones are repeated.
        """
        return not request_sent or idempotent

    def waits(self) -> Iterator[float]:
        """The jittered exponential waits, one per retry, for one request."""
        generator = backoff.expo(base=2, factor=self.backoff_base, max_value=self.max_backoff)
        # backoff's wait generators expect to be primed before the first value.
        next(generator)
        for _ in range(self.max_retries):
            yield backoff.full_jitter(next(generator))

    def wait_for(self, retry_after: float | None, fallback: float) -> float:
        """The wait before the next try: the server's word when it gave one, capped."""
        if retry_after is None:
            return fallback
        return min(retry_after, self.max_retry_after)
