"""The in-flight limit: one per account, shared by every client given the same limiter.

Twilio limits how many requests of one account run at once and answers the rest with 429
(error 20429). ``ConcurrencyLimiter`` keeps the requests in flight under a limit that starts
at ``max_concurrency`` and, when adaptive, follows the account's real allowance:

- **Down at once on a 429.** When the answer carries ``Twilio-Concurrent-Requests`` (the
  account's requests in flight, the refused one included), the allowance is that count less
  one, and a limit above it drops straight to it. A limit already at or below it means other
  clients share the account, and it is multiplied by ``DECREASE_FACTOR`` instead; the same
  factor applies when the header is missing.
- **Once per round.** Requests that started before the last decrease were sent under the
  old limit; their 429s say nothing new and do not lower it again.
- **Hold, then probe gently.** For ``HOLD_SECONDS`` after each decrease the limit stays
  where it is; afterwards every success adds ``1 / limit`` (about one slot per round trip of
  the whole window), up to ``max_concurrency``. A limiter that probes on every round trip
  keeps tripping the allowance, and each trip costs a retry.

This is additive increase, multiplicative decrease (Netflix's concurrency-limits AIMD, and
the throttle detection of boto3's adaptive mode), with the header turning the first decrease
into an exact one and the hold keeping the probing rare.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Callable, Mapping

from ._exceptions import ConfigurationError

__all__ = ["DECREASE_FACTOR", "HOLD_SECONDS", "ConcurrencyLimiter"]

# boto3's adaptive mode backs off by the same factor (its CUBIC beta).
DECREASE_FACTOR = 0.7
# Long enough that a bulk export running at the allowance meets a probe's 429 a few times a
# minute at most; short enough to find room again soon after another client stops.
HOLD_SECONDS = 5.0
CONCURRENT_REQUESTS_HEADER = "Twilio-Concurrent-Requests"


def _concurrent_requests(headers: Mapping[str, str]) -> int | None:
    value = headers.get(CONCURRENT_REQUESTS_HEADER)
    if value is None or not value.isascii() or not value.strip().isdigit():
        return None
    count = int(value)
    return count if count >= 1 else None


class ConcurrencyLimiter:
    """A limit on requests in flight, shared by every client it is given to.

    ``Client(limiter=ConcurrencyLimiter(20))`` for each client of one account keeps them,
    together, under the account's allowance. ``adaptive=False`` keeps the limit fixed.
    """

    def __init__(
        self,
        max_concurrency: int,
        *,
        adaptive: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if type(max_concurrency) is not int or max_concurrency < 1:
            raise ConfigurationError("max_concurrency must be a positive integer")
        self.max_concurrency = max_concurrency
        self.adaptive = adaptive
        self._clock = clock
        self._limit = float(max_concurrency)
        self._in_flight = 0
        self._round = 0
        self._hold_until = -math.inf
        self._lowest = max_concurrency
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def limit(self) -> int:
        """Requests allowed in flight right now."""
        return max(1, int(self._limit))

    @property
    def lowest(self) -> int:
        """The lowest the limit has been: below ``max_concurrency`` once a 429 lowered it."""
        return self._lowest

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def __repr__(self) -> str:
        mode = "adaptive" if self.adaptive else "fixed"
        return (
            f"<ConcurrencyLimiter {mode} limit={self.limit}/{self.max_concurrency} "
            f"in_flight={self._in_flight}>"
        )

    async def acquire(self) -> int:
        """Wait for a place; returns the round it was taken in, for ``observe``."""
        if self._in_flight >= self.limit or self._waiters:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                elif not waiter.cancelled():
                    # Woken (given a place) and cancelled before it ran: pass the place on.
                    self.release()
                raise
        else:
            self._in_flight += 1
        return self._round

    def release(self) -> None:
        self._in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self._in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                # The place is taken on the waiter's behalf, so no newcomer can jump in.
                self._in_flight += 1
                waiter.set_result(None)

    def observe(self, started_round: int, status: int, headers: Mapping[str, str]) -> None:
        """Feed back an answer to a request that took its place in ``started_round``."""
        if not self.adaptive:
            return
        if status == 429:
            if started_round != self._round:
                return
            reported = _concurrent_requests(headers)
            allowance = reported - 1 if reported is not None else None
            if allowance is not None and allowance >= 1 and self._limit > allowance:
                lowered = float(allowance)
            else:
                lowered = self._limit * DECREASE_FACTOR
            self._limit = max(1.0, lowered)
            self._lowest = min(self._lowest, self.limit)
            self._round += 1
            self._hold_until = self._clock() + HOLD_SECONDS
        elif (
            status < 500
            and self._limit < self.max_concurrency
            and self._clock() >= self._hold_until
        ):
            self._limit = min(float(self.max_concurrency), self._limit + 1.0 / self._limit)
            self._wake()
