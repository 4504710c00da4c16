"""One next-page request in flight: its task, whether it is written yet, whether it was guessed.

The pager (``_pagination.AsyncPager``) holds at most one. The task refers to nothing of the
pager, so a dropped pager is freed at once and its ``__del__`` can cancel the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

from ._pages import Fetched

__all__ = ["FetchPage", "Prefetch"]

T = TypeVar("T")

FetchPage = Callable[[str, Callable[[], None] | None], Coroutine[Any, Any, Fetched[T]]]


class _Waited:
    """Set once the pager waits for the prefetch: its body then comes back undecoded."""

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = False


async def _fetch_ahead(
    fetch_page: FetchPage[T], url: str, on_sent: Callable[[], None], waited: _Waited
) -> Fetched[T]:
    fetched = await fetch_page(url, on_sent)
    if not waited.now:
        # The caller is still busy with the page before: decode while it works, so the
        # pager does not have to later. A pager already waiting wants the bytes at once,
        # to send the request after this one before decoding.
        fetched.prepare()
    return fetched


def _settled(sent: asyncio.Event) -> Callable[[asyncio.Task[Any]], None]:
    def done(task: asyncio.Task[Any]) -> None:
        # A prefetch that ended (failed, refused, answered) will not be written any more.
        sent.set()
        # One the consumer abandons may fail with nobody awaiting it; reading its outcome
        # keeps the loop from logging "exception never retrieved".
        if not task.cancelled():
            task.exception()

    return done


class Prefetch(Generic[T]):
    """Page ``url``'s request, started now in a task of the running loop.

    ``sent`` is set once the request is written, or once it no longer can be.
    """

    __slots__ = ("_waited", "sent", "task", "url")

    def __init__(self, fetch_page: FetchPage[T], url: str) -> None:
        self.url = url
        self.sent = asyncio.Event()
        self._waited = _Waited()
        fetch = _fetch_ahead(fetch_page, url, self.sent.set, self._waited)
        self.task = asyncio.get_running_loop().create_task(fetch)
        self.task.add_done_callback(_settled(self.sent))

    def take(self) -> asyncio.Task[Fetched[T]]:
        """The task, for a pager about to wait for it."""
        self._waited.now = True
        return self.task

    async def written(self, within: float) -> None:
        """Return once the request is written, or after ``within`` seconds at most."""
        if self.sent.is_set():
            return
        try:
            async with asyncio.timeout(within):
                await self.sent.wait()
        except TimeoutError:
            pass

    def abandon(self) -> None:
        """Cancel the request from wherever this runs: a dropped pager's ``__del__`` may run
        on another thread (the cycle collector), or after its loop has closed."""
        task = self.task
        if task.done():
            return
        loop = task.get_loop()
        if loop.is_closed():
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            task.cancel()
        else:
            loop.call_soon_threadsafe(task.cancel)
