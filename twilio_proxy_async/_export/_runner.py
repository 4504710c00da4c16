"""The export engine: listings run by a bounded pool of workers, every page committed once.

A listing is one paginated collection (the Services, one Service's Sessions, one Session's
Participants, ...). Workers take listings from a queue and walk their pages; a page of
Services or Sessions queues the listings below each record. A page with more to come is
committed on a writer thread: while it is being written the event loop is free, and the
pager's request for the next page is already on the wire, so the server works on it
meanwhile. A listing asks for its next page only once the previous one is committed, so
the journal always names exactly what the store holds.

Live data can shift between two page requests, so Twilio may list a record again on a later
page of the same listing. The SIDs a listing produced are kept in an on-disk index
(``_sids.py``), checked and updated as each page is committed: a record listed again is
neither written nor spawns its child listings a second time, and it is counted, so every
format holds one row per SID and the manifest and the summary say how many were repeated.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs

from .._client import Client
from .._pagination import AsyncPager, Cursor
from .._table import parent_of
from ._errors import ExportError, JournalError
from ._journal import ListingState, Replay
from ._progress import Progress
from ._schema import RESOURCES, TABLES
from ._sids import SidIndex
from ._stores import PageCommit, Store

__all__ = ["ExportEngine", "check_resources"]

# The resource tree, as the table's parent SIDs draw it.
_PARENT = {
    name: parent.name for name, table in TABLES.items() if (parent := parent_of(table)) is not None
}
_ROOTS = tuple(name for name, table in TABLES.items() if not table.parents)


@attrs.frozen
class Listing:
    """One collection to page through, named by its resource and its parents' SIDs."""

    resource: str
    parents: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return "/".join((self.resource, *self.parents))

    @classmethod
    def parse(cls, key: str) -> Listing:
        resource, *parents = key.split("/")
        if resource not in RESOURCES or len(parents) != _depth(resource):
            raise JournalError(f"the journal names an unknown listing {key!r}")
        return cls(resource, tuple(parents))


def _depth(resource: str) -> int:
    parent = _PARENT.get(resource)
    return 0 if parent is None else 1 + _depth(parent)


def _listed(selected: Collection[str]) -> frozenset[str]:
    """The resources to list: the selected ones and those their parents come from."""
    needed = set(selected)
    for resource in selected:
        parent = _PARENT.get(resource)
        while parent is not None:
            needed.add(parent)
            parent = _PARENT.get(parent)
    return frozenset(needed)


def check_resources(resources: Sequence[str]) -> tuple[str, ...]:
    unknown = sorted(set(resources) - set(RESOURCES))
    if unknown:
        raise ExportError(f"unknown resources: {', '.join(unknown)}; choose from {RESOURCES}")
    if not resources:
        raise ExportError("no resources to export")
    return tuple(name for name in RESOURCES if name in resources)


@attrs.frozen
class _Job:
    listing: Listing
    state: ListingState | None = None


class ExportEngine:
    """Runs every unfinished listing of an export to its end, committing through ``store``."""

    def __init__(
        self,
        client: Client,
        store: Store,
        sids: SidIndex,
        writer: ThreadPoolExecutor,
        resources: Sequence[str],
        *,
        page_size: int | None,
        workers: int,
        progress: Progress,
        stale_cursors: bool,
        backlog: int,
    ) -> None:
        self._client = client
        self._store = store
        self._sids = sids
        # Pages the journal holds: the number the next committed page gets.
        self._pages = 0
        self._failure: BaseException | None = None
        self._writer = writer
        self._selected = frozenset(resources)
        self._listed = _listed(resources)
        self._spawning = {_PARENT[child] for child in self._listed if child in _PARENT}
        self._page_size = page_size
        self._workers = workers
        self._progress = progress
        self._stale_cursors = stale_cursors
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._backlog = backlog
        self._paused = 0
        self._commit_lock = threading.Lock()
        self.peak_waiting = 0

    def _children(self, listing: Listing, sid: str) -> list[Listing]:
        parents = (*listing.parents, sid)
        return [
            Listing(child, parents)
            for child, parent in _PARENT.items()
            if parent == listing.resource and child in self._listed
        ]

    def _plan(self, replay: Replay | None) -> list[_Job]:
        if replay is None:
            return [_Job(Listing(root)) for root in _ROOTS if root in self._listed]
        self._pages = replay.pages
        known = [Listing(root) for root in _ROOTS if root in self._listed]
        for key, sid in replay.spawned:
            known.extend(self._children(Listing.parse(key), sid))
        jobs = []
        for listing in known:
            state = replay.listings.get(listing.key)
            if state is None or not state.finished:
                jobs.append(_Job(listing, state))
        resumed = {job.listing.key: job.state.taken for job in jobs if job.state is not None}
        self._refill(
            replay, [Listing.parse(key) for key in self._sids.reconcile(replay.pages, resumed)]
        )
        return jobs

    def _refill(self, replay: Replay, listings: Sequence[Listing]) -> None:
        """Put back in the index the SIDs ``listings`` produced before the interruption:
        those they spawned listings for, else those their records in the store carry (one
        read of each resource's data)."""
        spawning = {item.key for item in listings if item.resource in self._spawning}
        if spawning:
            self._sids.refill(
                spawning, ((key, sid) for key, sid in replay.spawned if key in spawning)
            )
        by_resource: dict[str, set[tuple[str, ...]]] = {}
        for listing in listings:
            if listing.key not in spawning:
                by_resource.setdefault(listing.resource, set()).add(listing.parents)
        for resource, wanted in by_resource.items():
            keys = [Listing(resource, parents).key for parents in wanted]
            self._sids.refill(
                keys,
                (
                    (Listing(resource, parents).key, sid)
                    for parents, sid in self._store.written(resource)
                    if parents in wanted
                ),
            )

    async def run(self, replay: Replay | None) -> None:
        await self._drain(self._plan(replay))

    async def _drain(self, jobs: list[_Job]) -> None:
        for job in jobs:
            self._queue.put_nowait(job)
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._work()) for _ in range(self._workers)]
                tasks.append(group.create_task(self._heartbeat()))
                await self._queue.join()
                for task in tasks:
                    task.cancel()
        except BaseExceptionGroup as failed:
            # The first failure is the cause; the others are its echoes in sibling workers.
            # A failed commit is the cause of the commits refused after it, even when they
            # are reported first (its own worker may be cancelled before it hears of it).
            raise (self._failure or failed.exceptions[0]) from None

    async def _heartbeat(self) -> None:
        # Commits drive most reports; this keeps them coming while retries stall every page.
        limiter = self._client.limiter
        lowered_said = False
        while True:
            await asyncio.sleep(0.1)
            self._progress.tick()
            if not lowered_said and limiter.lowest < limiter.max_concurrency:
                lowered_said = True
                self._progress.note(
                    f"the account allows fewer concurrent requests than {limiter.max_concurrency}: "
                    f"running at {limiter.lowest} (--max-concurrency {limiter.lowest} starts there)"
                )

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._export_listing(job)
            finally:
                self._queue.task_done()

    def _pager(self, listing: Listing) -> AsyncPager[Any]:
        table = TABLES[listing.resource]
        resources = getattr(getattr(self._client, table.api.name), table.attribute)
        largest = table.api.max_page_size
        pager: AsyncPager[Any] = resources.list(
            *listing.parents, page_size=min(self._page_size or largest, largest)
        )
        return pager

    async def _export_listing(self, job: _Job) -> None:
        listing, state = job.listing, job.state
        pager = self._pager(listing)
        taken = repeated = skip = 0
        first = state is None
        if state is not None:
            taken, repeated = state.taken, state.repeated
            if state.cursor is not None and not self._stale_cursors:
                pager.resume(state.cursor)
            else:
                # The server forgot its page tokens (a restarted emulator): walk the listing
                # again from its first page, passing over the records it listed before.
                skip = taken + repeated
        async with pager:
            async for page in pager.pages():
                items = page.items
                if skip:
                    dropped = min(skip, len(items))
                    items, skip = items[dropped:], skip - dropped
                new = await self._commit(listing, items, pager.cursor, taken, repeated, first)
                first = False
                taken += new
                repeated += len(items) - new
                if new < len(items) and listing.resource in self._selected:
                    self._progress.repeat(listing.resource, len(items) - new)
                if listing.resource in self._spawning:
                    await self._make_room()

    async def _make_room(self) -> None:
        # A Sessions page queues two listings per Session, far faster than they are
        # exported; pausing its listing while many wait keeps memory flat for any number of
        # Sessions. One worker always stays unpaused, so the waiting listings keep draining.
        while self._queue.qsize() > self._backlog and self._paused + 1 < self._workers:
            self._paused += 1
            try:
                await asyncio.sleep(0.02)
            finally:
                self._paused -= 1

    def _commit_now(self, page: PageCommit, first: bool) -> PageCommit:
        # The page's new SIDs go into the index, then its data, then the journal entry
        # confirming them, under one lock: commits never interleave, so each journaled
        # offset covers exactly the pages journaled before it, and each page's number in
        # the index is its place in the journal.
        with self._commit_lock:
            if self._failure is not None:
                # A failed commit may have left the store or the index past the journal;
                # whatever is committed after it would be journaled over that.
                raise ExportError("an earlier page could not be committed")
            try:
                return self._commit_locked(page, first)
            except BaseException as exc:
                self._failure = exc
                raise

    def _commit_locked(self, page: PageCommit, first: bool) -> PageCommit:
        number = self._pages + 1
        listed = page.items
        new = self._sids.admit(
            page.listing,
            [item.sid for item in listed],
            number,
            first=first,
            more=page.cursor is not None,
        )
        items = [item for item, is_new in zip(listed, new, strict=True) if is_new]
        repeated = len(listed) - len(items)
        spawn = [item.sid for item in items] if page.resource in self._spawning else []
        page = attrs.evolve(
            page,
            items=items,
            taken=page.taken + len(items),
            repeated=page.repeated + repeated,
            spawn=spawn,
        )
        self._store.commit(page)
        self._pages = number
        return page

    async def _commit(
        self,
        listing: Listing,
        listed: Sequence[Any],
        cursor: Cursor | None,
        taken: int,
        repeated: int,
        first: bool,
    ) -> int:
        """Commit the records of ``listed`` new to the listing; returns how many were."""
        resource = listing.resource
        written = resource in self._selected
        # ``taken``, ``repeated`` and ``spawn`` are those before the page: the commit, which
        # tells the page's new records from its repeats, completes them.
        page = PageCommit(
            listing.key, resource, listing.parents, listed, cursor, taken, [], written, repeated
        )
        if cursor is None:
            # The listing's last page: no request of its is in flight to overlap with, so
            # the hop to the writer thread would only add latency (most listings, a
            # Session's Participants, are one small page).
            page = self._commit_now(page, first)
        else:
            # The next page's request is on the wire: write this one on the writer thread,
            # leaving the loop free to send and receive it meanwhile.
            loop = asyncio.get_running_loop()
            page = await loop.run_in_executor(self._writer, self._commit_now, page, first)
        for sid in page.spawn:
            for child in self._children(listing, sid):
                self._queue.put_nowait(_Job(child))
        self.peak_waiting = max(self.peak_waiting, self._queue.qsize())
        if written:
            self._progress.add(resource, len(page.items))
            self._progress.tick()
        return len(page.items)
