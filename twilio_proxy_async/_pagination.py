"""Pages and the prefetching pager.

The pager knows one callable, ``fetch_page(url) -> Page``; it never sees HTTP. While the
caller works through page N, exactly one task fetches page N+1, so a consumer that does
work per page waits about max(latency, work) per page rather than their sum.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from types import TracebackType
from typing import Generic, Self, TypeVar

import attrs

from ._exceptions import InvalidParameterError, PaginationError

__all__ = ["AsyncPager", "Cursor", "Page", "PageMeta", "parse_page"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class PageMeta:
    """The ``meta`` object of a Twilio list answer."""

    key: str
    page: int | None = None
    page_size: int | None = None
    url: str | None = None
    first_page_url: str | None = None
    previous_page_url: str | None = None
    next_page_url: str | None = None


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a listing: its records and where it sits in the sequence."""

    items: Sequence[T]
    url: str
    meta: PageMeta

    @property
    def next_page_url(self) -> str | None:
        return self.meta.next_page_url

    @property
    def previous_page_url(self) -> str | None:
        return self.meta.previous_page_url

    @property
    def page(self) -> int | None:
        return self.meta.page

    @property
    def page_size(self) -> int | None:
        return self.meta.page_size


def _optional_str(meta: Mapping[str, object], name: str) -> str | None:
    value = meta.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"meta.{name} must be a string or null, got {value!r}")


def _optional_int(meta: Mapping[str, object], name: str) -> int | None:
    value = meta.get(name)
    if value is None or type(value) is int:
        return value
    raise ValueError(f"meta.{name} must be an integer or null, got {value!r}")


def parse_page(body: object, default_key: str) -> tuple[list[object], PageMeta]:
    """Split a decoded list answer into its raw records and its meta.

    The records sit under ``meta.key`` (Twilio names it; MessageInteractions use
    ``interactions``), falling back to the resource's usual key when meta omits it.
    Raises ValueError on any other shape: a page is never silently read as empty.
    """
    if not isinstance(body, dict):
        raise ValueError("a list answer must be a JSON object")
    meta = body.get("meta")
    if not isinstance(meta, dict):
        raise ValueError("a list answer must have a 'meta' object")
    key = meta.get("key", default_key)
    if not isinstance(key, str):
        raise ValueError(f"meta.key must be a string, got {key!r}")
    records = body.get(key)
    if not isinstance(records, list):
        raise ValueError(f"a list answer must have a {key!r} array")
    parsed = PageMeta(
        key=key,
        page=_optional_int(meta, "page"),
        page_size=_optional_int(meta, "page_size"),
        url=_optional_str(meta, "url"),
        first_page_url=_optional_str(meta, "first_page_url"),
        previous_page_url=_optional_str(meta, "previous_page_url"),
        next_page_url=_optional_str(meta, "next_page_url"),
    )
    return records, parsed


@attrs.frozen
class Cursor:
    """Where a stopped listing resumes: the page URL and how many of its records were taken.

    Plain strings and ints, so it can be saved as JSON and handed back to ``resume``.
    """

    page_url: str
    offset: int = 0


def _retrieve(task: asyncio.Task[object]) -> None:
    # A prefetch the consumer abandons may fail or be cancelled with nobody awaiting it;
    # reading its outcome here keeps the loop from logging "exception never retrieved".
    if not task.cancelled():
        task.exception()


class AsyncPager(Generic[T]):
    """Records of a listing, page after page, with the next page fetched in the background.

    Use ``async for record in pager``, or ``async with pager as records`` for deterministic
    cleanup, or ``pager.pages()`` for whole pages. ``cursor`` tells where to ``resume``.
    """

    def __init__(
        self,
        fetch_page: Callable[[str], Coroutine[object, None, Page[T]]],
        first_url: str,
        *,
        follow: Callable[[str], str],
        limit: int | None = None,
        prefetch: bool = True,
    ) -> None:
        if limit is not None and (type(limit) is not int or limit < 1):
            raise InvalidParameterError("limit must be a positive integer")
        self._fetch_page = fetch_page
        self._follow = follow
        self._limit = limit
        self._prefetch = prefetch
        self._next_url: str | None = first_url
        self._seen_urls: set[str] = set()
        self._pending: asyncio.Task[Page[T]] | None = None
        self._deferred: PaginationError | None = None
        self._page: Page[T] | None = None
        self._offset = 0
        self._skip = 0
        self._yielded = 0
        self._started = False
        self._closed = False

    @property
    def limit(self) -> int | None:
        return self._limit

    @property
    def records_yielded(self) -> int:
        """Records handed to the caller so far."""
        return self._yielded

    @property
    def cursor(self) -> Cursor | None:
        """Where the next record comes from; None when the listing is exhausted.

        Valid at any point, after a break, an error or ``aclose()`` too: a new pager
        ``resume``d from it yields exactly the records this one has not.
        """
        page = self._page
        if page is not None and (self._offset < len(page.items) or self._deferred is not None):
            # With a refused next-page URL pending, the listing is not exhausted: resuming
            # re-reads this page past its records and meets the same refusal again.
            return Cursor(page.url, self._offset)
        if self._next_url is not None:
            return Cursor(self._next_url, self._skip)
        return None

    def resume(self, cursor: Cursor) -> Self:
        """Start from a saved ``cursor`` instead of the first page; only before iterating."""
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
        self._started = True
        while True:
            if self._closed or (self._limit is not None and self._yielded >= self._limit):
                await self.aclose()
                raise StopAsyncIteration
            page = self._page
            if page is not None and self._offset < len(page.items):
                record = page.items[self._offset]
                self._offset += 1
                self._yielded += 1
                return record
            if not await self._advance():
                await self.aclose()
                raise StopAsyncIteration

    def pages(self) -> AsyncIterator[Page[T]]:
        """Whole pages instead of records (``limit`` still trims the last one)."""
        return _PageStream(self)

    async def _next_page(self) -> Page[T] | None:
        """The next page, trimmed to ``limit``, or None at the end."""
        self._started = True
        if self._closed or (self._limit is not None and self._yielded >= self._limit):
            return None
        if not await self._advance():
            return None
        page = self._page
        assert page is not None
        items = page.items[self._offset :]
        if self._limit is not None:
            items = items[: self._limit - self._yielded]
        self._offset = len(page.items)
        self._yielded += len(items)
        if len(items) == len(page.items):
            return page
        return attrs.evolve(page, items=items)

    async def _advance(self) -> bool:
        """Make the next page current; False when there is none."""
        if self._deferred is not None:
            raise self._deferred
        url = self._next_url
        if url is None:
            return False
        pending, self._pending = self._pending, None
        page = await (pending if pending is not None else self._fetch_page(url))
        self._next_url = None
        self._page = page
        self._offset, self._skip = self._skip, 0
        self._seen_urls.add(url)
        self._plan_next(page)
        return True

    def _plan_next(self, page: Page[T]) -> None:
        raw_next = page.next_page_url
        if not raw_next:
            return
        try:
            next_url = self._follow(raw_next)
        except PaginationError as exc:
            # Raised when the caller reaches that page, after this page's records.
            self._deferred = exc
            return
        if next_url in self._seen_urls:
            self._deferred = PaginationError(
                f"the next-page URL repeats a page already read: {raw_next}"
            )
            return
        self._next_url = next_url
        taken = self._yielded + len(page.items) - self._offset
        if self._limit is not None and taken >= self._limit:
            return
        if self._prefetch:
            task = asyncio.get_running_loop().create_task(self._fetch_page(next_url))
            task.add_done_callback(_retrieve)
            self._pending = task

    async def aclose(self) -> None:
        """Stop the listing: cancel the prefetch in flight and wait until it has let go."""
        self._closed = True
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.cancel()
            await asyncio.wait([pending])

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
