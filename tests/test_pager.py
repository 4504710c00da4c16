"""The pager against a scripted fetch function: ordering, prefetch, limits, errors, cleanup."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine

import pytest

from twilio_proxy_async import AsyncPager, Cursor, PageMeta, PaginationError
from twilio_proxy_async._pagination import (
    MAX_EMPTY_PAGES,
    SEEN_WINDOW,
    Fetched,
    RawPage,
    parse_page,
)

ORIGIN = "https://proxy.twilio.com"
Fetch = Callable[[str, Callable[[], None] | None], Coroutine[object, None, Fetched[str]]]


def url_of(index: int) -> str:
    return f"{ORIGIN}/v1/Services?PageSize=3&Page={index}&PageToken=PT{index}%3D"


class Script:
    """Serves numbered pages of three records; records what was fetched and when."""

    def __init__(self, pages: int, *, per_page: int = 3, fail_on: int | None = None) -> None:
        self.pages = pages
        self.per_page = per_page
        self.fail_on = fail_on
        self.fetched: list[int] = []
        self.started: list[int] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.cancelled: list[int] = []

    def index_of(self, url: str) -> int:
        return int(url.split("Page=")[1].split("&")[0])

    async def fetch(self, url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        index = self.index_of(url)
        self.started.append(index)
        if on_sent is not None:
            on_sent()
        gate = self.gates.get(index)
        try:
            if gate is not None:
                await gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(index)
            raise
        if index == self.fail_on:
            raise RuntimeError(f"page {index} failed")
        self.fetched.append(index)
        items = [f"r{index}.{n}" for n in range(self.per_page)]
        next_url = url_of(index + 1) if index + 1 < self.pages else None
        meta = PageMeta(key="services", page=index, page_size=self.per_page, next_page_url=next_url)
        return raw_page(url, meta, items)


def raw_page(
    url: str,
    meta: PageMeta,
    items: list[str],
    error: Exception | None = None,
    *,
    body: bytes = b"",
) -> Fetched[str]:
    """A fetched page; ``error`` makes it malformed at the first record after ``items``.
    ``body`` is what the pager may read a next URL from before decoding (none by default)."""
    size = len(items) + (error is not None)
    page = RawPage(url=url, meta=meta, size=size, extract=lambda: (list(items), error))
    return Fetched(url, body, lambda: page)


def same_origin(url: str) -> str:
    if not url.startswith(ORIGIN + "/"):
        raise PaginationError(f"refusing {url}")
    return url


def pager(script: Script, *, limit: int | None = None, prefetch: bool = True) -> AsyncPager[str]:
    fetch: Fetch = script.fetch
    return AsyncPager(fetch, url_of(0), follow=same_origin, limit=limit, prefetch=prefetch)


async def collect(source: AsyncPager[str]) -> list[str]:
    return [record async for record in source]


def records(pages: int, per_page: int = 3) -> list[str]:
    return [f"r{p}.{n}" for p in range(pages) for n in range(per_page)]


async def test_yields_every_record_in_order_across_pages() -> None:
    script = Script(4)
    assert await collect(pager(script)) == records(4)
    assert script.fetched == [0, 1, 2, 3]


async def test_next_page_is_requested_before_the_current_page_is_consumed() -> None:
    script = Script(3)
    source = pager(script)
    first = await anext(source)
    await asyncio.sleep(0)
    assert first == "r0.0"
    # Page 1 is in flight while page 0 still has two records to hand out.
    assert script.started == [0, 1]
    await source.aclose()


async def test_at_most_one_page_ahead() -> None:
    script = Script(5)
    source = pager(script)
    await anext(source)
    for _ in range(5):
        await asyncio.sleep(0)
    assert script.started == [0, 1]
    await source.aclose()


async def test_prefetch_off_fetches_only_on_demand() -> None:
    script = Script(3)
    source = pager(script, prefetch=False)
    await anext(source)
    await asyncio.sleep(0)
    assert script.started == [0]
    assert [await anext(source) for _ in range(3)] == ["r0.1", "r0.2", "r1.0"]
    await source.aclose()


async def test_limit_stops_mid_page_and_never_fetches_past_it() -> None:
    script = Script(10)
    assert await collect(pager(script, limit=4)) == records(2)[:4]
    await asyncio.sleep(0)
    assert script.started == [0, 1]


async def test_limit_on_a_page_boundary_does_not_prefetch_the_next_page() -> None:
    script = Script(10)
    assert await collect(pager(script, limit=6)) == records(2)
    assert script.started == [0, 1]


async def test_last_page_is_never_followed() -> None:
    script = Script(2)
    assert await collect(pager(script)) == records(2)
    assert script.started == [0, 1]


async def test_error_on_page_n_comes_after_every_earlier_record() -> None:
    script = Script(5, fail_on=2)
    seen: list[str] = []
    with pytest.raises(RuntimeError, match="page 2 failed"):
        async for record in pager(script):
            seen.append(record)
    assert seen == records(2)


async def test_break_cancels_the_prefetch_in_flight() -> None:
    script = Script(3)
    script.gates[1] = asyncio.Event()
    source = pager(script)
    async with source:
        async for _record in source:
            await asyncio.sleep(0)
            break
    assert script.started == [0, 1]
    assert script.cancelled == [1]


async def test_abandoned_failing_prefetch_is_not_reported_as_never_retrieved() -> None:
    script = Script(3, fail_on=1)
    source = pager(script)
    assert await anext(source) == "r0.0"
    for _ in range(3):
        await asyncio.sleep(0)
    await source.aclose()
    # The loop_reports_nothing fixture fails the test if the failure was logged.


async def test_cancelling_the_consumer_cancels_the_prefetch() -> None:
    script = Script(3)
    script.gates[1] = asyncio.Event()
    source = pager(script)

    async def consume() -> None:
        async for _record in source:
            await asyncio.sleep(0)

    task = asyncio.create_task(consume())
    for _ in range(10):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await source.aclose()
    assert script.cancelled == [1]


async def test_aclose_twice_and_iteration_after_close() -> None:
    source = pager(Script(2))
    await anext(source)
    await source.aclose()
    await source.aclose()
    with pytest.raises(StopAsyncIteration):
        await anext(source)


async def test_repeated_next_page_url_is_an_error_after_the_page_records() -> None:
    async def looping(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        return raw_page(url, PageMeta(key="k", next_page_url=url_of(0)), ["a"])

    source = AsyncPager(looping, url_of(0), follow=same_origin)
    assert await anext(source) == "a"
    with pytest.raises(PaginationError, match="repeats a page"):
        await anext(source)


async def test_next_page_on_another_origin_is_refused_after_the_page_records() -> None:
    async def hostile(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        meta = PageMeta(key="k", next_page_url="https://evil.example/v1/Services?Page=1")
        return raw_page(url, meta, ["a", "b"])

    calls: list[str] = []

    async def fetch(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        calls.append(url)
        return await hostile(url, on_sent)

    source = AsyncPager(fetch, url_of(0), follow=same_origin)
    assert [await anext(source), await anext(source)] == ["a", "b"]
    with pytest.raises(PaginationError, match="refusing"):
        await anext(source)
    assert calls == [url_of(0)]


async def test_pages_yields_whole_pages_and_trims_to_limit() -> None:
    script = Script(4)
    got = [page async for page in pager(script, limit=7).pages()]
    assert [list(page.items) for page in got] == [records(1), records(2)[3:], ["r2.0"]]
    assert got[0].url == url_of(0)
    assert got[0].next_page_url == url_of(1)
    assert got[0].page == 0


async def test_cursor_resumes_mid_page_without_duplicates_or_gaps() -> None:
    script = Script(4)
    first = pager(script)
    taken = [await anext(first) for _ in range(5)]
    cursor = first.cursor
    await first.aclose()
    assert cursor == Cursor(url_of(1), 2)
    rest = await collect(pager(Script(4)).resume(cursor))
    assert taken + rest == records(4)


async def test_cursor_after_a_failed_page_points_at_that_page() -> None:
    script = Script(4, fail_on=2)
    source = pager(script)
    seen: list[str] = []
    with pytest.raises(RuntimeError):
        async for record in source:
            seen.append(record)
    assert source.cursor == Cursor(url_of(2), 0)
    rest = await collect(pager(Script(4)).resume(source.cursor))
    assert seen + rest == records(4)


async def test_cursor_is_none_when_exhausted_and_after_limit_points_onwards() -> None:
    done = pager(Script(2))
    await collect(done)
    assert done.cursor is None
    limited = pager(Script(3), limit=3)
    await collect(limited)
    assert limited.cursor == Cursor(url_of(1), 0)


async def test_resume_refuses_another_origin_and_late_calls() -> None:
    with pytest.raises(PaginationError):
        pager(Script(2)).resume(Cursor("https://evil.example/v1/Services"))
    source = pager(Script(2))
    await anext(source)
    with pytest.raises(RuntimeError, match="before iteration"):
        source.resume(Cursor(url_of(1)))
    await source.aclose()


def test_parse_page_uses_meta_key() -> None:
    body = {"interactions": [{"sid": "KI1"}], "meta": {"key": "interactions", "page": 0}}
    records_found, meta = parse_page(body, "message_interactions")
    assert records_found == [{"sid": "KI1"}]
    assert meta == PageMeta(key="interactions", page=0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ({"services": []}, "'meta' object"),
        ({"meta": {"key": "services"}}, "'services' array"),
        ({"services": {}, "meta": {}}, "'services' array"),
        ({"services": [], "meta": {"key": 3}}, "meta.key"),
        ({"services": [], "meta": {"next_page_url": 5}}, "meta.next_page_url"),
    ],
)
def test_parse_page_refuses_other_shapes(body: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_page(body, "services")


async def test_cursor_is_not_exhausted_while_a_refused_next_page_is_pending() -> None:
    async def hostile(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        meta = PageMeta(key="k", next_page_url="https://evil.example/v1/Services?Page=1")
        return raw_page(url, meta, ["a", "b"])

    source = AsyncPager(hostile, url_of(0), follow=same_origin)
    with pytest.raises(PaginationError):
        async for _record in source:
            pass
    assert source.cursor == Cursor(url_of(0), 2)
    resumed = AsyncPager(hostile, url_of(0), follow=same_origin).resume(source.cursor)
    with pytest.raises(PaginationError):
        await anext(resumed)
    await resumed.aclose()


async def test_making_a_page_current_waits_until_the_next_request_is_written() -> None:
    events: list[str] = []

    async def fetch(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        index = int(url.split("Page=")[1].split("&")[0])
        if on_sent is not None:
            # A few loop passes stand in for the transport getting the request out.
            for _ in range(3):
                await asyncio.sleep(0)
            events.append(f"sent {index}")
            on_sent()
        await asyncio.Event().wait() if index == 1 else None
        meta = PageMeta(key="services", next_page_url=url_of(index + 1))
        return raw_page(url, meta, [f"r{index}"])

    source = AsyncPager(fetch, url_of(0), follow=same_origin)
    assert await anext(source) == "r0"
    # Control came back without the caller awaiting anything: page 1 was already out.
    assert events == ["sent 1"]
    await source.aclose()


async def test_a_malformed_record_ends_the_listing_after_the_records_before_it() -> None:
    broken = ValueError("record 1 is malformed")

    async def fetch(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        index = int(url.split("Page=")[1].split("&")[0])
        meta = PageMeta(key="services", next_page_url=url_of(index + 1))
        if index == 1:
            return raw_page(url, meta, ["r1.0"], broken)
        return raw_page(url, meta, [f"r{index}.0", f"r{index}.1"])

    source = AsyncPager(fetch, url_of(0), follow=same_origin)
    seen: list[str] = []
    with pytest.raises(ValueError, match="record 1") as raised:
        async for record in source:
            seen.append(record)
    assert raised.value is broken
    assert seen == ["r0.0", "r0.1", "r1.0"]
    assert source.cursor == Cursor(url_of(1), 1)
    with pytest.raises(ValueError, match="record 1"):
        await anext(source)
    await source.aclose()

    whole = AsyncPager(fetch, url_of(0), follow=same_origin).pages()
    assert list((await anext(whole)).items) == ["r0.0", "r0.1"]
    # A page is delivered whole or not at all.
    with pytest.raises(ValueError, match="record 1"):
        await anext(whole)


async def test_a_malformed_page_cancels_the_prefetch_it_had_sent() -> None:
    script = Script(4)
    script.gates[2] = asyncio.Event()
    original = script.fetch

    async def fetch(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        page = await original(url, on_sent)
        if script.index_of(url) == 1:
            return raw_page(url, page.decode().meta, ["r1.0"], ValueError("bad record"))
        return page

    source = AsyncPager(fetch, url_of(0), follow=same_origin)
    seen = []
    with pytest.raises(ValueError, match="bad record"):
        async for record in source:
            seen.append(record)
    await asyncio.sleep(0)
    assert seen == [*records(1), "r1.0"]
    assert script.started == [0, 1, 2]
    assert script.cancelled == [2]


async def test_dropping_the_pager_after_a_break_cancels_the_prefetch() -> None:
    script = Script(3)
    script.gates[1] = asyncio.Event()
    async for _record in pager(script):
        break
    # No aclose(), no async with: the pager is gone, and its prefetch with it.
    await asyncio.sleep(0)
    assert script.started == [0, 1]
    assert script.cancelled == [1]


async def test_endless_empty_pages_stop_with_a_pagination_error() -> None:
    fetched: list[int] = []

    async def empty(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        index = int(url.split("Page=")[1].split("&")[0])
        fetched.append(index)
        return raw_page(url, PageMeta(key="k", next_page_url=url_of(index + 1)), [])

    source = AsyncPager(empty, url_of(0), follow=same_origin)
    with pytest.raises(PaginationError, match=f"{MAX_EMPTY_PAGES} empty pages in a row"):
        await anext(source)
    assert fetched == list(range(MAX_EMPTY_PAGES))


async def test_empty_pages_between_records_are_followed() -> None:
    async def sparse(url: str, on_sent: Callable[[], None] | None) -> Fetched[str]:
        index = int(url.split("Page=")[1].split("&")[0])
        next_url = url_of(index + 1) if index < 3 * MAX_EMPTY_PAGES else None
        items = [f"r{index}"] if index % (MAX_EMPTY_PAGES - 1) == 0 else []
        return raw_page(url, PageMeta(key="k", next_page_url=next_url), items)

    got = await collect(AsyncPager(sparse, url_of(0), follow=same_origin))
    assert got == [f"r{n}" for n in range(0, 3 * MAX_EMPTY_PAGES + 1, MAX_EMPTY_PAGES - 1)]


def test_seen_urls_remember_a_bounded_window() -> None:
    from twilio_proxy_async._pages import SeenUrls

    seen = SeenUrls(SEEN_WINDOW)
    for index in range(SEEN_WINDOW * 3):
        seen.add(url_of(index))
    assert len(seen._members) == len(seen._order) == SEEN_WINDOW
    assert url_of(SEEN_WINDOW * 3 - 1) in seen
    assert url_of(SEEN_WINDOW * 2) in seen
    assert url_of(SEEN_WINDOW * 2 - 1) not in seen
