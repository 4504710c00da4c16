"""The in-flight limit: one per account, shared by every client given the same limiter.

Twilio limits how many requests of one account run at once and answers the rest with 429
(error 20429). ``ConcurrencyLimiter`` keeps the requests in flight under a limit that starts
at ``max_concurrency`` and, when adaptive, follows the account's real allowance:

- **Down at once on a 429, to where the refusal happened.** A refused request was let in as
  the k-th of this limiter's requests in flight. With ``Twilio-Concurrent-Requests`` on the
  answer (the account's requests in flight, the refused one included: C), the allowance is
  C - 1 and this limiter's share of it is (C - 1) x k / C; alone on the account that is
  exactly C - 1, beside other clients it is the part they leave (never above C - 1).
  Without the header, k - 1.
- **Once per round.** Requests let in before the last decrease were sent under the old
  limit; their 429s say nothing new and do not lower it again.
- **Hold, then probe gently.** For ``HOLD_SECONDS`` after each decrease the limit stays
  where it is; afterwards every success adds ``1 / limit`` (about one place per round trip of
  the whole window), up to ``max_concurrency``. A limiter that probes on every round trip
  keeps tripping the allowance, and each trip costs a retry.

This is additive increase with a measured decrease (the AIMD family of Netflix's
concurrency-limits and boto3's adaptive mode, where the decrease is a fixed factor); the
refusal point makes the decrease exact, and the hold keeps probing rare.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Callable, Mapping

from ._exceptions import ConfigurationError

__all__ = ["HOLD_SECONDS", "ConcurrencyLimiter", "Ticket"]

# Long enough that a bulk export running at the allowance meets a probe's 429 a few times a
# minute at most; short enough to find room again soon after another client stops.
HOLD_SECONDS = 5.0
CONCURRENT_REQUESTS_HEADER = "Twilio-Concurrent-Requests"

# (round, position): the decrease round a request was let in during, and how many of this
# limiter's requests were in flight then, itself included.
Ticket = tuple[int, int]


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

    Args:
        max_concurrency: the most requests let in flight at once, a positive integer (at
            most the account's allowance, shared by all its clients); also the ceiling the
            adaptive limit climbs back to. Anything else raises ``ConfigurationError``.
        adaptive: lower the limit to where a 429 happened and probe upwards again after
            ``HOLD_SECONDS``. Default True; False keeps it fixed at ``max_concurrency``.
        clock: a monotonic clock in seconds, read to time the hold after a decrease. Default
            ``time.monotonic``; tests pass a fake one.
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
        self._waiters: collections.deque[asyncio.Future[Ticket]] = collections.deque()

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
        """Requests of this limiter holding a place now."""
        return self._in_flight

    @property
    def full(self) -> bool:
        """Whether a request asking now would have to wait for a place."""
        return self._in_flight >= self.limit or bool(self._waiters)

    def __repr__(self) -> str:
        mode = "adaptive" if self.adaptive else "fixed"
        return (
            f"<ConcurrencyLimiter {mode} limit={self.limit}/{self.max_concurrency} "
            f"in_flight={self._in_flight}>"
        )

    def try_acquire(self) -> Ticket | None:
        """A place now if one is free, else None: the request path's common case, with no
        coroutine to create and await."""
        if self._in_flight >= self.limit or self._waiters:
            return None
        self._in_flight += 1
        return (self._round, self._in_flight)

    async def acquire(self) -> Ticket:
        """Wait for a place; the ticket (round, position) is for ``observe``."""
        ticket = self.try_acquire()
        if ticket is not None:
            return ticket
        waiter: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            # The ticket is from the moment the place was granted, not from when this task
            # resumes: a decrease in between must not make it look like a fresh request.
            return await waiter
        except BaseException:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            elif not waiter.cancelled():
                # Granted a place and cancelled before it ran: pass the place on.
                self.release()
            raise

    def release(self) -> None:
        """Give back a place taken by ``acquire`` (after ``observe``), waking the next waiter."""
        self._in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self._in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                # The place is taken on the waiter's behalf, so no newcomer can jump in.
                self._in_flight += 1
                waiter.set_result((self._round, self._in_flight))

    def observe(self, ticket: Ticket, status: int, headers: Mapping[str, str]) -> None:
        """Feed back the answer to a request let in with ``ticket``; call it before
        ``release``, so a lowered limit is in force before anyone is woken.

        Args:
            ticket: the (round, position) that ``acquire`` returned for this request.
            status: the HTTP status of the answer: 429 lowers the limit, another status below 500
                lets it probe upwards, 5xx leaves it alone.
            headers: the answer's headers, where ``Twilio-Concurrent-Requests`` (the
                account's requests in flight) makes the decrease exact.
        """
        if not self.adaptive:
            return
        started_round, position = ticket
        if status == 429:
            if started_round != self._round:
                return
            account = _concurrent_requests(headers)
            share = float(position - 1)
            if account is not None:
                # Never above the allowance itself, whatever order the requests arrived in.
                share = min((account - 1) * position / account, account - 1.0)
            self._limit = max(1.0, min(self._limit, float(math.floor(share))))
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
