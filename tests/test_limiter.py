"""The adaptive in-flight limit (issue #13 items 1-2), first as a pure state machine with
a fake clock, then through clients against a fake account with a concurrency allowance."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from twilio_proxy_async import (
    Client,
    ConcurrencyLimiter,
    ConfigurationError,
    RawResponse,
)
from twilio_proxy_async._limiter import HOLD_SECONDS
from twilio_proxy_async.testing import instant_retry_waits

from helpers import ACCOUNT, TOKEN

HEADER = "Twilio-Concurrent-Requests"
OK: Mapping[str, str] = {}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(maximum: int = 64, **options: bool) -> tuple[ConcurrencyLimiter, Clock]:
    clock = Clock()
    return ConcurrencyLimiter(maximum, clock=clock, **options), clock


def throttled(count: int | None = None) -> Mapping[str, str]:
    return {} if count is None else {HEADER: str(count)}


def test_a_429_with_the_header_lowers_the_limit_to_the_allowance_at_once() -> None:
    limits, _ = limiter(64)
    # Alone on the account: let in as the 21st, refused with 21 in flight.
    limits.observe((0, 21), 429, throttled(21))
    assert (limits.limit, limits.lowest) == (20, 20)


def test_the_allowance_bounds_the_limit_whatever_order_requests_arrived_in() -> None:
    limits, _ = limiter(64)
    # Let in as the 40th but refused as the account's 21st: the allowance is still 20.
    limits.observe((0, 40), 429, throttled(21))
    assert limits.limit == 20


def test_beside_other_clients_the_limit_drops_to_this_limiters_share() -> None:
    limits, _ = limiter(20)
    # 10 of the account's 21 in flight were ours: our share of the 20 allowed is 9.5.
    limits.observe((0, 10), 429, throttled(21))
    assert limits.limit == 9


def test_without_the_header_the_limit_drops_below_where_the_refusal_happened() -> None:
    limits, _ = limiter(64)
    limits.observe((0, 34), 429, throttled())
    assert limits.limit == 33


def test_unreadable_headers_count_as_missing() -> None:
    for value in ("", "x", "-3", "0", "²", "1e3"):
        limits, _ = limiter(10)
        limits.observe((0, 8), 429, {HEADER: value})
        assert limits.limit == 7, value


def test_429s_of_requests_let_in_before_the_decrease_do_not_lower_it_again() -> None:
    limits, _ = limiter(64)
    for position in range(21, 65):
        limits.observe((0, position), 429, throttled(21 + position % 3))
    assert limits.limit == 20
    # A request let in after the decrease does count.
    limits.observe((1, 15), 429, throttled(21))
    assert limits.limit == 14


def test_the_limit_holds_after_a_429_then_grows_one_place_per_window() -> None:
    limits, clock = limiter(64)
    limits.observe((0, 11), 429, throttled(11))
    assert limits.limit == 10
    for _ in range(100):
        limits.observe((1, 10), 200, OK)
    assert limits.limit == 10, "no probing while the hold lasts"
    clock.now += HOLD_SECONDS
    # Each success adds 1/limit: about one place per window of `limit` answers.
    for _ in range(11):
        limits.observe((1, 10), 200, OK)
    assert limits.limit == 11
    for _ in range(12):
        limits.observe((1, 10), 200, OK)
    assert limits.limit == 12


def test_the_limit_stays_between_one_and_max_concurrency() -> None:
    limits, clock = limiter(3)
    for round_ in range(10):
        limits.observe((round_, 1), 429, throttled())
    assert limits.limit == 1
    clock.now += HOLD_SECONDS
    for _ in range(1000):
        limits.observe((10, 1), 200, OK)
    assert limits.limit == 3


def test_a_fixed_limiter_never_moves() -> None:
    limits, _ = limiter(8, adaptive=False)
    limits.observe((0, 8), 429, throttled(3))
    assert (limits.limit, limits.lowest) == (8, 8)


@pytest.mark.parametrize("maximum", [0, -1, 1.5, True, "8"])
def test_max_concurrency_is_validated(maximum: object) -> None:
    with pytest.raises(ConfigurationError):
        ConcurrencyLimiter(maximum)  # type: ignore[arg-type]


async def test_waiters_go_in_order_and_a_cancelled_waiter_passes_its_place_on() -> None:
    limits = ConcurrencyLimiter(1)
    await limits.acquire()
    order: list[str] = []

    async def take(name: str) -> None:
        await limits.acquire()
        order.append(name)

    first = asyncio.create_task(take("first"))
    second = asyncio.create_task(take("second"))
    third = asyncio.create_task(take("third"))
    await asyncio.sleep(0)
    assert limits.in_flight == 1 and order == []
    first.cancel()
    limits.release()
    await asyncio.wait([first, second])
    assert order == ["second"] and limits.in_flight == 1
    limits.release()
    await third
    assert order == ["second", "third"]
    limits.release()
    assert limits.in_flight == 0


async def test_a_woken_waiter_cancelled_before_it_runs_gives_the_place_back() -> None:
    limits = ConcurrencyLimiter(1)
    await limits.acquire()
    waiter = asyncio.create_task(limits.acquire())
    await asyncio.sleep(0)
    limits.release()  # hands the place to the waiter ...
    waiter.cancel()  # ... which is cancelled before it could run
    await asyncio.wait([waiter])
    assert waiter.cancelled()
    assert limits.in_flight == 0


class Account:
    """A fake Twilio account behind the transport seam: at most ``allowance`` requests in
    flight, 429 (code 20429) past it, ``Twilio-Concurrent-Requests`` on every answer."""

    def __init__(self, allowance: int, *, header: bool = True, latency: float = 0.002) -> None:
        self.allowance = allowance
        self.header = header
        self.latency = latency
        self.in_flight = 0
        self.peak = 0
        self.answers: dict[int, int] = {}

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Twilio-Request-Id": "RQ" + "0" * 32}
        if self.header:
            headers[HEADER] = str(self.in_flight)
        return headers

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        time_limit: float,
    ) -> RawResponse:
        self.in_flight += 1
        try:
            if self.in_flight > self.allowance:
                status, payload = 429, b'{"code": 20429, "message": "Too many requests"}'
                answer = RawResponse(status, self._headers(), payload)
            else:
                self.peak = max(self.peak, self.in_flight)
                await asyncio.sleep(self.latency)
                status = 200
                answer = RawResponse(status, self._headers(), b'{"sid": "KS' + b"a" * 32 + b'"}')
        finally:
            self.in_flight -= 1
        self.answers[status] = self.answers.get(status, 0) + 1
        return answer

    async def aclose(self) -> None:
        return None


async def fetch_many(clients: list[Client], calls: int) -> int:
    """``calls`` fetches spread over ``clients``, all started at once; returns failures."""

    async def fetch(number: int) -> None:
        await clients[number % len(clients)].proxy.services.fetch("KS" + "a" * 32)

    results = await asyncio.gather(*(fetch(n) for n in range(calls)), return_exceptions=True)
    return sum(isinstance(result, Exception) for result in results)


def account_client(account: Account, **settings: object) -> Client:
    client = Client(ACCOUNT, TOKEN, transport=account, **settings)  # type: ignore[arg-type]
    # The retry waits are skipped: the tests count outcomes, not seconds.
    instant_retry_waits(client)
    return client


@pytest.mark.parametrize("header", [True, False], ids=["with-header", "without-header"])
async def test_a_client_settles_under_the_accounts_allowance(header: bool) -> None:
    account = Account(allowance=5, header=header)
    # A clock that stands still: the hold after each 429 never ends, so the second batch
    # proves the settled limit, not the timing of a probe.
    limits = ConcurrencyLimiter(32, clock=Clock())
    async with account_client(account, limiter=limits, max_retries=6) as client:
        assert await fetch_many([client], 400) == 0
        settled = client.limiter.limit
        throttled_while_learning = account.answers.get(429, 0)
        # Once settled, a second batch runs without a single 429.
        assert await fetch_many([client], 200) == 0
    assert settled <= 5
    assert account.answers.get(429, 0) == throttled_while_learning
    assert account.answers[200] == 600
    assert account.peak == 5


async def test_a_fixed_limit_above_the_allowance_keeps_tripping_it() -> None:
    # The reference for the test above: the same load without adapting.
    account = Account(allowance=5)
    fixed = ConcurrencyLimiter(32, adaptive=False)
    async with account_client(account, limiter=fixed, max_retries=6) as client:
        await fetch_many([client], 200)
        before = account.answers.get(429, 0)
        await fetch_many([client], 200)
    assert account.answers.get(429, 0) - before > 100


async def test_clients_sharing_one_limiter_stay_under_the_allowance_together() -> None:
    account = Account(allowance=10)
    shared = ConcurrencyLimiter(20, clock=Clock())
    clients = [account_client(account, limiter=shared, max_retries=6) for _ in range(2)]
    async with clients[0], clients[1]:
        assert clients[0].limiter is clients[1].limiter is shared
        assert await fetch_many(clients, 400) == 0
        learned = account.answers.get(429, 0)
        assert await fetch_many(clients, 400) == 0
    assert shared.limit <= 10
    assert account.answers.get(429, 0) == learned
    assert shared.in_flight == 0
