"""Retry waits a test skips and counts: the one piece of ``testing`` that acts on a Client.

A client waits between attempts (``Retry-After``, else backoff with jitter, up to seconds).
A test of retries cares about how often and how long it would have waited, not about the
wall time, so the waits are recorded and return at once. Only the type of the client is
imported: at run time ``testing`` stays below the SDK, as the rest of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["RetryWaits", "instant_retry_waits"]


class RetryWaits:
    """The waits a client's retries asked for, each returning at once.

    Args:
        on_wait: called after each wait with the number of waits so far, or None.

    Attributes:
        delays: the seconds of each wait, oldest first (a ``Retry-After`` as Twilio sent it,
            capped; otherwise the backoff drawn).
    """

    def __init__(self, on_wait: Callable[[int], None] | None = None) -> None:
        self.delays: list[float] = []
        self._on_wait = on_wait

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self._on_wait is not None:
            self._on_wait(len(self.delays))


def instant_retry_waits(
    client: Client, *, on_wait: Callable[[int], None] | None = None
) -> RetryWaits:
    """Make every retry wait of ``client`` return at once, and record it.

    The waits of its ``with_options`` views are recorded too (they share its retry clock).
    What is retried, how often, and the error at the end stay exactly as without it.

    Args:
        client: the Client whose retry waits to replace, open or not yet used.
        on_wait: called after each wait with the number of waits so far; a test can end
            a fault storm after exactly N retries (``emu.faults = Faults()``).

    Returns:
        The ``RetryWaits`` that records the client's waits from now on.
    """
    waits = RetryWaits(on_wait)
    client._transport.retry_sleep = waits
    return waits
