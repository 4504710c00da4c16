"""The export engine: listings run by a bounded pool of workers, every page committed once.

A listing is one paginated collection (the Services, one Service's Sessions, one Session's
Participants, ...). Workers take listings from a queue and walk their pages; a page of
Services or Sessions queues the listings below each record. A page with more to come is
committed on a writer thread: while it is being written the event loop is free, and the
pager's request for the next page is already on the wire, so the server works on it
meanwhile. A listing asks for its next page only once the previous one is committed, so
the journal always names exactly what the store holds.

Live data can shift between two page requests, so Twilio may list a record again on a later
page of the same listing. Each listing remembers the SIDs it produced: a record listed again
is neither written nor spawns its child listings a second time, and it is counted, so every
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
    # The SIDs the listing produced before an interruption (a resumed listing).
    seen: frozenset[str] = frozenset()


class ExportEngine:
    """Runs every unfinished listing of an export to its end, committing through ``store``."""

    def __init__(
        self,
        client: Client,
        store: Store,
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
        known = [Listing(root) for root in _ROOTS if root in self._listed]
        for key, sid in replay.spawned:
            known.extend(self._children(Listing.parse(key), sid))
        unfinished = []
        for listing in known:
            state = replay.listings.get(listing.key)
            if state is None or not state.finished:
                unfinished.append((listing, state))
        seen = self._seen(replay, [listing for listing, state in unfinished if state])
        return [
            _Job(listing, state, seen.get(listing.key, frozenset()))
            for listing, state in unfinished
        ]

    def _seen(self, replay: Replay, resumed: Sequence[Listing]) -> dict[str, frozenset[str]]:
        """The SIDs each resumed listing already produced: those it spawned listings for,
        else those its records in the store carry (one read of each resource's data)."""
        spawned = replay.spawned_by()
        found = {
            listing.key: frozenset(spawned.get(listing.key, ()))
            for listing in resumed
            if listing.resource in self._spawning
        }
        by_resource: dict[str, set[tuple[str, ...]]] = {}
        for listing in resumed:
            if listing.key not in found:
                by_resource.setdefault(listing.resource, set()).add(listing.parents)
        for resource, wanted in by_resource.items():
            sids: dict[tuple[str, ...], set[str]] = {parents: set() for parents in wanted}
            for parents, sid in self._store.written(resource):
                if parents in sids:
                    sids[parents].add(sid)
            found.update(
                {Listing(resource, parents).key: frozenset(got) for parents, got in sids.items()}
            )
        return found

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
            raise failed.exceptions[0] from None

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
        seen = set(job.seen)
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
                new = []
                for item in items:
                    if item.sid not in seen:
                        seen.add(item.sid)
                        new.append(item)
                taken += len(new)
                repeated += len(items) - len(new)
                await self._commit(listing, new, pager.cursor, taken, repeated)
                if len(new) < len(items) and listing.resource in self._selected:
                    self._progress.repeat(listing.resource, len(items) - len(new))
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

    def _commit_now(self, page: PageCommit) -> None:
        # Data, then the journal entry confirming it, under one lock: commits never
        # interleave, so each journaled offset covers exactly the pages journaled before it.
        with self._commit_lock:
            self._store.commit(page)

    async def _commit(
        self,
        listing: Listing,
        items: Sequence[Any],
        cursor: Cursor | None,
        taken: int,
        repeated: int,
    ) -> None:
        resource = listing.resource
        spawn = [item.sid for item in items] if resource in self._spawning else []
        written = resource in self._selected
        page = PageCommit(
            listing.key, resource, listing.parents, items, cursor, taken, spawn, written, repeated
        )
        if cursor is None:
            # The listing's last page: no request of its is in flight to overlap with, so
            # the hop to the writer thread would only add latency (most listings, a
            # Session's Participants, are one small page).
            self._commit_now(page)
        else:
            # The next page's request is on the wire: write this one on the writer thread,
            # leaving the loop free to send and receive it meanwhile.
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._writer, self._commit_now, page)
        for sid in spawn:
            for child in self._children(listing, sid):
                self._queue.put_nowait(_Job(child))
        self.peak_waiting = max(self.peak_waiting, self._queue.qsize())
        if written:
            self._progress.add(resource, len(items))
            self._progress.tick()
