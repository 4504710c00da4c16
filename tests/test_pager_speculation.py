"""The guessed next URL against a scripted fetch function, and the guess itself.

``peek_next_url`` reads a body's next URL without decoding it; the pager sends that request
before decoding the page and keeps it only when the decoded page names the same page.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from twilio_proxy_async import AsyncPager, PageMeta, PaginationError
from twilio_proxy_async._pages import PEEK_WINDOW, Fetched, RawPage, peek_next_url

ORIGIN = "https://proxy.twilio.com"
PER_PAGE = 3


def url_of(index: int) -> str:
    return f"{ORIGIN}/v1/Services?PageSize={PER_PAGE}&Page={index}"


def same_origin(url: str) -> str:
    if not url.startswith(ORIGIN + "/"):
        raise PaginationError(f"refusing {url}")
    return url


class Pages:
    """Numbered pages whose bodies name a next URL (``guess``, else the real one); notes each
    fetch started, sent, cancelled and decoded, in one sequence of events."""

    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.events: list[str] = []
        self.guess: dict[int, str | None] = {}
        self.bad_json: set[int] = set()
        # Requests not written until their event is set.
        self.unsent: dict[int, asyncio.Event] = {}
        # Pages whose first request is written and never answered.
        self.unanswered: set[int] = set()

    def next_of(self, index: int) -> str | None:
        return url_of(index + 1) if index + 1 < self.pages else None

    async def fetch(self, url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        index = int(url.split("Page=")[1])
        self.events.append(f"start {index}")
        try:
            if index in self.unsent:
                await self.unsent[index].wait()
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.events.append(f"cancel {index}")
            raise
        if on_sent is not None:
            on_sent()
        answered = index not in self.unanswered
        self.unanswered.discard(index)
        try:
            # The answer comes after the request is out, as on a network.
            await asyncio.sleep(0)
            if not answered:
                await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.events.append(f"cut {index}")
            raise
        named = self.guess.get(index, self.next_of(index))
        body = json.dumps({"records": [], "meta": {"next_page_url": named}}).encode()

        def decode() -> RawPage[str]:
            self.events.append(f"decode {index}")
            if index in self.bad_json:
                raise ValueError(f"page {index} is not JSON")
            meta = PageMeta(key="services", next_page_url=self.next_of(index))
            items = [f"r{index}.{n}" for n in range(PER_PAGE)]
            return RawPage(url=url, meta=meta, size=PER_PAGE, extract=lambda: (items, None))

        return Fetched(url, body, decode)

    def pager(self, **options: int) -> AsyncPager[str]:
        return AsyncPager(self.fetch, url_of(0), follow=same_origin, page_size=PER_PAGE, **options)


def records(pages: range) -> list[str]:
    return [f"r{p}.{n}" for p in pages for n in range(PER_PAGE)]


async def test_the_guessed_request_starts_before_the_page_is_decoded() -> None:
    pages = Pages(3)
    assert [record async for record in pages.pager()] == records(range(3))
    assert pages.events == [
        "start 0",
        "start 1",
        "decode 0",
        "start 2",
        "decode 1",
        "decode 2",
    ]


async def test_a_wrong_guess_is_cancelled_and_the_named_page_followed() -> None:
    pages = Pages(3)
    pages.guess[0] = url_of(2)
    pages.unanswered.add(2)
    assert [record async for record in pages.pager()] == records(range(3))
    # Page 2 was guessed off page 0, cut off, and fetched again in its turn.
    assert pages.events == [
        "start 0",
        "start 2",
        "decode 0",
        "cut 2",
        "start 1",
        "start 2",
        "decode 1",
        "decode 2",
    ]


@pytest.mark.parametrize(
    "guess", ["https://evil.example/v1/Services?Page=1", url_of(0)], ids=["origin", "loop"]
)
async def test_a_guess_breaking_a_rule_is_never_requested(guess: str) -> None:
    pages = Pages(2)
    pages.guess[0] = guess
    assert [record async for record in pages.pager()] == records(range(2))
    assert pages.events == ["start 0", "decode 0", "start 1", "decode 1"]


async def test_a_page_that_does_not_decode_takes_its_guess_down_with_it() -> None:
    pages = Pages(3)
    pages.bad_json.add(1)
    pages.unanswered.add(2)
    source = pages.pager()
    assert [await anext(source) for _ in range(PER_PAGE)] == records(range(1))
    with pytest.raises(ValueError, match="page 1 is not JSON"):
        await anext(source)
    # The guess was let go before the error reached the caller.
    assert pages.events[-3:] == ["start 2", "decode 1", "cut 2"]
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
    await source.aclose()


async def test_a_cancellation_while_the_guess_goes_out_keeps_the_fetched_page() -> None:
    pages = Pages(3)
    pages.unsent[1] = asyncio.Event()
    source = pages.pager()
    waiting = asyncio.create_task(anext(source))
    for _ in range(10):
        await asyncio.sleep(0)
    assert pages.events == ["start 0", "start 1"]
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    pages.unsent[1].set()
    assert [record async for record in source] == records(range(3))
    # Page 0 was fetched once; only its guess was sent again.
    assert pages.events.count("start 0") == 1
    assert pages.events.count("decode 0") == 1
    assert "cancel 1" in pages.events


@pytest.mark.parametrize(("limit", "requested"), [(3, 1), (4, 2), (6, 2), (7, 3)])
async def test_a_limit_is_never_guessed_past(limit: int, requested: int) -> None:
    pages = Pages(5)
    got = [record async for record in pages.pager(limit=limit)]
    assert got == records(range(5))[:limit]
    assert [event for event in pages.events if event.startswith("start")] == [
        f"start {index}" for index in range(requested)
    ]


async def test_a_limited_listing_without_its_page_size_never_guesses() -> None:
    pages = Pages(3)
    source = AsyncPager(pages.fetch, url_of(0), follow=same_origin, limit=9)
    assert [record async for record in source] == records(range(3))
    assert pages.events == ["start 0", "decode 0", "start 1", "decode 1", "start 2", "decode 2"]


async def test_a_prefetch_the_caller_is_not_waiting_for_decodes_in_the_background() -> None:
    pages = Pages(3)
    source = pages.pager()
    await anext(source)
    for _ in range(10):
        await asyncio.sleep(0)
    # The caller is still on page 0: page 1 was decoded while it worked, not later.
    assert pages.events == ["start 0", "start 1", "decode 0", "decode 1"]
    assert [record async for record in source] == records(range(3))[1:]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"s":[],"meta":{"next_page_url": "https://h/v1/S?Page=1"}}', "https://h/v1/S?Page=1"),
        (b'{"meta":{"next_page_url":\n\t"https://h/a"}}', "https://h/a"),
        (
            b'{"s":[{"next_page_url":"https://x/"}],"meta":{"next_page_url":"https://h/b"}}',
            "https://h/b",
        ),
        (b'{"meta":{"next_page_url": null}}', None),
        (b'{"meta":{"next_page_url": "https:\\/\\/h\\/a"}}', None),
        (b'{"meta":{"next_page_url": "https://h/\\u00e9"}}', None),
        ('{"meta":{"next_page_url": "https://h/é"}}'.encode(), None),
        (b'{"meta":{"next_page_url": "https://h/a', None),
        (b'{"meta":{"next_page_url": ""}}', None),
        (b'{"meta":{"next_page_url":', None),
        (b'{"meta":{"url": "https://h/a"}}', None),
        (b"", None),
    ],
)
def test_peek_next_url_reads_a_plain_string_or_nothing(body: bytes, expected: str | None) -> None:
    assert peek_next_url(body) == expected


def test_peek_next_url_only_searches_the_end_of_the_body_when_meta_is_last() -> None:
    meta = b'{"s":"x","meta":{"next_page_url": "https://h/a"},"t":"'
    assert peek_next_url(meta + b"x" * PEEK_WINDOW + b'"}') is None
    assert peek_next_url(meta + b"x" * (PEEK_WINDOW - 100) + b'"}') == "https://h/a"


def test_peek_next_url_reads_the_opening_meta_and_not_a_records_key_after_it() -> None:
    meta = b' {\n "meta" : {"page": 0, "next_page_url": "https://h/a"},'
    records = b'"s":[{"next_page_url":"https://x/"}]}'
    assert peek_next_url(meta + records) == "https://h/a"
    # Only the opening window is searched: a meta that long is not guessed from.
    padded = b'{"meta":{"key":"' + b"x" * PEEK_WINDOW + b'","next_page_url":"https://h/a"}}'
    assert peek_next_url(padded) is None
    # A body that opens with records is read from its end, where a record's key is not last.
    tail = b'{"s":[{"next_page_url":"https://x/"}],"meta":{"next_page_url":"https://h/b"}}'
    assert peek_next_url(tail) == "https://h/b"
