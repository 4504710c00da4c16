"""The prefetching pager: a listing's records, with the next page on the wire while you work.

The pager knows one callable, ``fetch_page(url, on_sent) -> Fetched`` (the HTTP answer,
whose ``decode`` gives the JSON and the page's meta), and each page's own ``extract``
(building its models): azure-core's seam. When page N becomes current, the pager requests
page N+1, waits until that request was written (``on_sent``, bounded by ``SEND_WAIT``), and
only then builds page N's models and returns. So the server works on page N+1 while page N
is decoded and while the caller works on it, whether or not the caller ever awaits: a
consumer waits about max(latency, work) per page.

When the pager is already waiting for page N's answer, it does not wait for the JSON either:
it reads the next URL from the raw body (``peek_next_url``), and if that URL passes every
rule a next URL must pass, page N+1's request goes out before page N is decoded. The decoded
page must then name the same page, or the guess is cancelled and the real URL followed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Generic, Self, TypeVar

from ._exceptions import InvalidParameterError, PaginationError
from ._pages import Cursor, Fetched, Page, PageMeta, RawPage, SeenUrls, parse_page, peek_next_url
from ._prefetch import FetchPage, Prefetch

__all__ = [
    "MAX_EMPTY_PAGES",
    "SEEN_WINDOW",
    "SEND_WAIT",
    "AsyncPager",
    "Cursor",
    "Fetched",
    "Page",
    "PageMeta",
    "RawPage",
    "parse_page",
]

T = TypeVar("T")

# How long making a page current may wait for the next page's request to be written. Only a
# fresh connection (TCP and TLS handshakes) takes more than a loop pass; past this the network
# is in trouble and the caller gets its records instead of waiting on it.
SEND_WAIT = 1.0
# Twilio does not hand out empty pages that lead on; a server doing it a hundred times in a
# row is broken or hostile, and following it forever would never yield a record.
MAX_EMPTY_PAGES = 100
# Next-page URLs remembered to catch a loop: a listing that jumps back to any of its last
# thousand pages is refused, in memory that stays flat however long the listing is.
SEEN_WINDOW = 1000


class AsyncPager(Generic[T]):
    """Records of a listing, page after page, with the next page fetched in the background.

    Use ``async for record in pager``, or ``async with pager as records`` for deterministic
    cleanup, or ``pager.pages()`` for whole pages. ``cursor`` tells where to ``resume``.
    Dropping the pager (a ``break`` out of ``async for`` without ``async with``) cancels the
    prefetch in flight.
    """

    # Read by __del__, which also runs when __init__ refused its arguments.
    _ahead: Prefetch[T] | None = None

    def __init__(
        self,
        fetch_page: FetchPage[T],
        first_url: str,
        *,
        follow: Callable[[str], str],
        limit: int | None = None,
        prefetch: bool = True,
        page_size: int | None = None,
    ) -> None:
        if limit is not None and (type(limit) is not int or limit < 1):
            raise InvalidParameterError("limit must be a positive integer")
        if page_size is not None and (type(page_size) is not int or page_size < 1):
            raise InvalidParameterError("page_size must be a positive integer")
        self._fetch_page = fetch_page
        self._follow = follow
        self._limit = limit
        self._prefetch = prefetch
        # The page size asked for: with a limit, a next URL is guessed only when even a full
        # page leaves records wanted. Unknown (None), a limited listing never guesses.
        self._page_size = page_size
        self._next_url: str | None = first_url
        self._seen = SeenUrls(SEEN_WINDOW)
        # A fetched page put back when a cancellation reached the caller before it was
        # decoded: the next call starts from it instead of fetching it again.
        self._held: Fetched[T] | None = None
        self._deferred: Exception | None = None
        self._raw: RawPage[T] | None = None
        self._items: list[T] = []
        self._built = True
        self._broken = False
        self._empty_run = 0
        self._offset = 0
        # Records of the current page below this index go out with no further check: the
        # per-record path is one comparison (it is most of a fast listing's iteration cost).
        self._ready = 0
        self._skip = 0
        # Records handed out, not counting those of the current page past _counted_from.
        self._yielded = 0
        self._counted_from = 0
        self._started = False
        self._closed = False

    @property
    def limit(self) -> int | None:
        return self._limit

    @property
    def records_yielded(self) -> int:
        """Records handed to the caller so far."""
        return self._yielded + self._offset - self._counted_from

    @property
    def cursor(self) -> Cursor | None:
        """Where the next record comes from; None when the listing is exhausted.

        Valid at any point, after a break, an error or ``aclose()`` too: a new pager
        ``resume``d from it yields exactly the records this one has not.
        """
        raw = self._raw
        if raw is not None and (
            not self._built or self._offset < len(self._items) or self._deferred is not None
        ):
            # With an error pending (a refused next-page URL, a malformed record), the listing
            # is not exhausted: resuming re-reads this page and meets the same error again.
            return Cursor(raw.url, self._offset)
        if self._next_url is not None:
            return Cursor(self._next_url, self._skip)
        return None

    def resume(self, cursor: Cursor) -> Self:
        """Start from a saved ``cursor`` instead of the first page; only before iterating.

        Args:
            cursor: a ``Cursor`` from ``pager.cursor`` of a listing of the same resource (or
                one saved with ``to_dict`` and read back with ``from_dict(Cursor, saved)``);
                its page URL must be on this client's origin.

        Returns:
            This pager, so ``client.proxy.sessions.list(sid).resume(cursor)`` reads as one.

        Raises:
            RuntimeError: the pager has already started iterating.
            InvalidParameterError: ``cursor.offset`` is not a non-negative integer.
            PaginationError: the cursor's page URL is on another origin.
        """
        if self._started:
            raise RuntimeError("resume() must be called before iteration starts")
        if type(cursor.offset) is not int or cursor.offset < 0:
            raise InvalidParameterError("cursor.offset must be a non-negative integer")
        self._next_url = self._follow(cursor.page_url)
        self._skip = cursor.offset
        return self

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        offset = self._offset
        if offset < self._ready:
            self._offset = offset + 1
            return self._items[offset]
        return await self._next_record()

    async def _next_record(self) -> T:
        while True:
            if self._closed or (self._limit is not None and self.records_yielded >= self._limit):
                await self.aclose()
                raise StopAsyncIteration
            offset = self._offset
            if offset < self._ready:
                self._offset = offset + 1
                return self._items[offset]
            if not await self._advance():
                await self.aclose()
                raise StopAsyncIteration

    def pages(self) -> AsyncIterator[Page[T]]:
        """Whole pages instead of records (``limit`` still trims the last one).

        A page with a malformed record is not delivered in part: its error is raised instead.
        """
        return _PageStream(self)

    async def _next_page(self) -> Page[T] | None:
        """The next page, trimmed to ``limit``, or None at the end."""
        if self._closed or (self._limit is not None and self.records_yielded >= self._limit):
            return None
        if not await self._advance():
            return None
        if self._broken:
            assert self._deferred is not None
            raise self._deferred
        raw = self._raw
        assert raw is not None
        items = self._items[self._offset :]
        if self._limit is not None:
            items = items[: self._limit - self._yielded]
        self._offset = self._counted_from = len(self._items)
        self._yielded += len(items)
        return Page(items=items, url=raw.url, meta=raw.meta)

    async def _advance(self) -> bool:
        """Make the next page current; False when there is none."""
        self._started = True
        if not self._built:
            # Fetched before a cancellation reached the caller while it waited for the
            # prefetch to go out: this page is still the current one.
            self._build()
            return True
        if self._deferred is not None:
            raise self._deferred
        url = self._next_url
        if url is None:
            return False
        fetched = await self._take(url)
        raw = await self._decode(fetched, url)
        # The page it replaces is freed once the next request is out: freeing a page of
        # models and parsed records takes about a millisecond, by which it would hold back
        # the next request (whose URL this page just gave) on every page.
        previous = self._raw, self._items
        self._next_url = None
        self._raw = raw
        self._items = []
        self._built = False
        self._yielded = self.records_yielded
        self._ready = 0
        self._offset = self._counted_from = self._skip
        self._skip = 0
        self._seen.add(url)
        wanted = self._plan_next(raw)
        ahead = self._ahead
        if ahead is not None and ahead.url != wanted:
            # A guess the decoded page does not confirm (it names another page or none, or
            # breaks a rule): cut off before its answer is read.
            await self._cut_ahead()
            ahead = None
        if ahead is None and wanted is not None:
            self._ahead = Prefetch(self._fetch_page, wanted)
        await self._wait_sent()
        del previous
        self._build()
        return True

    async def _take(self, url: str) -> Fetched[T]:
        """Page ``url``'s answer: the one put back, the prefetch's, or a fresh request."""
        held, self._held = self._held, None
        if held is not None:
            return held
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return await self._fetch_page(url, None)
        return await ahead.take()

    async def _decode(self, fetched: Fetched[T], url: str) -> RawPage[T]:
        """``fetched`` decoded, with the request of the page after it sent first if it can
        be guessed from the raw body."""
        if not self._speculate(fetched, url):
            return fetched.decode()
        try:
            await self._wait_sent()
            return fetched.decode()
        except asyncio.CancelledError:
            # The page stays the next one to make current; its guess is made again then.
            self._held = fetched
            self._drop_ahead()
            raise
        except Exception:
            await self._cut_ahead()
            raise

    def _speculate(self, fetched: Fetched[T], url: str) -> bool:
        """Start page ``url``'s successor from the URL its raw body names, if that URL passes
        every rule ``_plan_next`` applies that can be known before decoding."""
        if not self._prefetch or fetched.decoded or self._empty_run:
            return False
        limit = self._limit
        if limit is not None and (
            self._page_size is None or self.records_yielded + self._page_size - self._skip >= limit
        ):
            return False
        raw_next = peek_next_url(fetched.body)
        if raw_next is None:
            return False
        try:
            next_url = self._follow(raw_next)
        except PaginationError:
            return False
        if next_url == url or next_url in self._seen:
            return False
        self._ahead = Prefetch(self._fetch_page, next_url)
        return True

    def _drop_ahead(self) -> asyncio.Task[Fetched[T]] | None:
        """Cancel the prefetch in flight, if any; the caller may wait for it to end."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        ahead.task.cancel()
        return ahead.task

    async def _cut_ahead(self) -> None:
        """Cancel the prefetch in flight and wait until it has let go."""
        task = self._drop_ahead()
        if task is not None and not task.done():
            await asyncio.wait([task])

    async def _wait_sent(self) -> None:
        if self._ahead is not None:
            await self._ahead.written(SEND_WAIT)

    def _build(self) -> None:
        raw = self._raw
        assert raw is not None
        self._items, error = raw.extract()
        self._built = True
        self._ready = len(self._items)
        if self._limit is not None:
            self._ready = min(self._ready, self._offset + self._limit - self.records_yielded)
        if error is not None:
            # The records before it are handed out, then the error; nothing after it.
            self._deferred = error
            self._broken = True
            self._next_url = None
            self._drop_ahead()

    def _plan_next(self, raw: RawPage[T]) -> str | None:
        """Decide the page after ``raw`` (or the error to raise there); the URL to prefetch,
        or None when it is not wanted."""
        raw_next = raw.meta.next_page_url
        if not raw_next:
            return None
        self._empty_run = self._empty_run + 1 if raw.size == 0 else 0
        if self._empty_run >= MAX_EMPTY_PAGES:
            self._deferred = PaginationError(
                f"{MAX_EMPTY_PAGES} empty pages in a row, each naming a next page; "
                f"not following {raw_next}"
            )
            return None
        try:
            next_url = self._follow(raw_next)
        except PaginationError as exc:
            # Raised when the caller reaches that page, after this page's records.
            self._deferred = exc
            return None
        if next_url in self._seen:
            self._deferred = PaginationError(
                f"the next-page URL repeats a page already read: {raw_next}"
            )
            return None
        self._next_url = next_url
        taken = self._yielded + raw.size - self._offset
        if not self._prefetch or (self._limit is not None and taken >= self._limit):
            return None
        return next_url

    async def aclose(self) -> None:
        """Stop the listing: cancel the prefetch in flight and wait until it has let go."""
        self._closed = True
        self._ready = 0
        self._held = None
        await self._cut_ahead()

    def __del__(self) -> None:
        # Nothing else holds the prefetch's result: a dropped pager's request must stop. The
        # task itself never refers to the pager, so dropping the pager really frees it.
        if self._ahead is not None:
            self._ahead.abandon()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class _PageStream(AsyncIterator[Page[T]]):
    def __init__(self, pager: AsyncPager[T]) -> None:
        self._pager = pager

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Page[T]:
        page = await self._pager._next_page()
        if page is None:
            await self._pager.aclose()
            raise StopAsyncIteration
        return page
