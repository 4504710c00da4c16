"""The export engine: listings run by a bounded pool of workers, every page committed once.

A listing is one paginated collection (the Services, one Service's Sessions, one Session's
Participants, ...). Workers take listings from a queue and walk their pages; a page of
Services or Sessions queues the listings below each record. Each page is committed (data
written and flushed, then one journal line) before the next is asked for, so whatever
stops the export, the journal names exactly the records the files hold.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._client import CHAT_MAX_PAGE_SIZE, PROXY_MAX_PAGE_SIZE, Client
from .._pagination import AsyncPager, Cursor
from ._errors import ExportError, JournalError
from ._journal import JOURNAL_NAME, Journal, JournalHeader, ListingState, Replay
from ._progress import ExportSummary, Progress
from ._writers import FORMATS, DataFile, Format, record_json

__all__ = ["RESOURCES", "ExportError", "run_export"]

RESOURCES = (
    "services",
    "phone_numbers",
    "sessions",
    "participants",
    "interactions",
    "chat_services",
)
_PARENT = {
    "phone_numbers": "services",
    "sessions": "services",
    "participants": "sessions",
    "interactions": "sessions",
}
_PARENT_FIELDS = ("service_sid", "session_sid")
_ROOTS = ("services", "chat_services")


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

    def parent_fields(self) -> dict[str, str]:
        return dict(zip(_PARENT_FIELDS, self.parents, strict=False))


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


def _check_resources(resources: Sequence[str]) -> tuple[str, ...]:
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


class _Export:
    def __init__(
        self,
        client: Client,
        out_dir: Path,
        header: JournalHeader,
        journal: Journal,
        *,
        page_size: int | None,
        workers: int,
        progress: Progress,
        stale_cursors: bool,
        backlog: int,
    ) -> None:
        self._client = client
        self._out_dir = out_dir
        self._selected = header.resources
        self._listed = _listed(header.resources)
        self._spawning = {_PARENT[child] for child in self._listed if child in _PARENT}
        fmt: Format = "csv" if header.fmt == "csv" else "jsonl"
        self._files = {name: DataFile(out_dir, name, fmt) for name in self._selected}
        self._journal = journal
        self._page_size = page_size
        self._workers = workers
        self._progress = progress
        self._stale_cursors = stale_cursors
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._backlog = backlog
        self._paused = 0
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
        jobs = []
        for listing in known:
            state = replay.listings.get(listing.key)
            if state is None or not state.finished:
                jobs.append(_Job(listing, state))
        return jobs

    def _carried_over(self, replay: Replay | None) -> dict[str, int]:
        counts = dict.fromkeys(self._selected, 0)
        for key, state in (replay.listings if replay else {}).items():
            resource = Listing.parse(key).resource
            if resource in counts:
                counts[resource] += state.taken
        return counts

    async def run(self, replay: Replay | None) -> ExportSummary:
        progress = self._progress
        progress.begin(self._selected, self._carried_over(replay))
        try:
            if replay is None or not replay.done:
                offsets = replay.offsets if replay else {}
                for name, file in self._files.items():
                    file.open(offsets.get(name, 0))
                await self._drain(self._plan(replay))
                self._journal.finish()
            for file in self._files.values():
                file.publish()
            self._journal.close()
            os.remove(self._out_dir / JOURNAL_NAME)
        finally:
            for file in self._files.values():
                file.close()
            self._journal.close()
            progress.close()
        summary = ExportSummary(
            out_dir=self._out_dir,
            files={name: file.final_path for name, file in self._files.items()},
            counts=dict(progress.counts),
            carried_over=progress.carried_over,
            elapsed=progress.elapsed,
        )
        progress.summary(summary)
        return summary

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
        proxy, size, parents = self._client.proxy, self._page_size, listing.parents
        match listing.resource:
            case "services":
                return proxy.services.list(page_size=size or PROXY_MAX_PAGE_SIZE)
            case "phone_numbers":
                return proxy.phone_numbers.list(*parents, page_size=size or PROXY_MAX_PAGE_SIZE)
            case "sessions":
                return proxy.sessions.list(*parents, page_size=size or PROXY_MAX_PAGE_SIZE)
            case "participants":
                return proxy.participants.list(*parents, page_size=size or PROXY_MAX_PAGE_SIZE)
            case "interactions":
                return proxy.interactions.list(*parents, page_size=size or PROXY_MAX_PAGE_SIZE)
            case _:
                chat_size = min(size or CHAT_MAX_PAGE_SIZE, CHAT_MAX_PAGE_SIZE)
                return self._client.chat.services.list(page_size=chat_size)

    async def _export_listing(self, job: _Job) -> None:
        listing, state = job.listing, job.state
        pager = self._pager(listing)
        taken = skip = 0
        if state is not None:
            taken = state.taken
            if state.cursor is not None and not self._stale_cursors:
                pager.resume(state.cursor)
            else:
                # The server forgot its page tokens (a restarted emulator): walk the listing
                # again from its first page, dropping the records the files already hold.
                skip = taken
        async with pager:
            async for page in pager.pages():
                items = page.items
                if skip:
                    dropped = min(skip, len(items))
                    items, skip = items[dropped:], skip - dropped
                taken += len(items)
                self._commit(listing, items, pager.cursor, taken)
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

    def _commit(
        self, listing: Listing, items: Sequence[Any], cursor: Cursor | None, taken: int
    ) -> None:
        # No await in here: the data write, its flush and the journal line confirming them
        # run as one step of the event loop, so commits never interleave and each journaled
        # offset covers exactly the pages journaled before it.
        file = self._files.get(listing.resource)
        offset = None
        if file is not None:
            if items:
                parents = listing.parent_fields()
                file.append([record_json(item, parents) for item in items])
            offset = file.offset
        spawn = [item.sid for item in items] if listing.resource in self._spawning else []
        self._journal.page(listing.key, cursor, taken, listing.resource, offset, spawn)
        for sid in spawn:
            for child in self._children(listing, sid):
                self._queue.put_nowait(_Job(child))
        self.peak_waiting = max(self.peak_waiting, self._queue.qsize())
        if file is not None:
            self._progress.add(listing.resource, len(items))
            self._progress.tick()


def _open_journal(
    out_dir: Path,
    *,
    fmt: str | None,
    resume: bool,
    resources: Sequence[str] | None,
    source: Mapping[str, str | int],
) -> tuple[JournalHeader, Journal, Replay | None]:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / JOURNAL_NAME
    leftovers = [
        out_dir / f"{name}.{ext}.part"
        for name in RESOURCES
        for ext in FORMATS
        if (out_dir / f"{name}.{ext}.part").exists()
    ]
    if path.exists() and resume:
        journal, replay = Journal.reopen(path)
        header = replay.header
        if fmt is not None and fmt != header.fmt:
            journal.close()
            raise ExportError(f"{out_dir} holds a {header.fmt} export; resume it as {header.fmt}")
        if resources is not None and _check_resources(resources) != header.resources:
            journal.close()
            raise ExportError(
                f"{out_dir} holds an export of {','.join(header.resources)}; "
                "resume it with the same --resources"
            )
        if dict(source) != dict(header.source):
            journal.close()
            raise ExportError(
                f"{out_dir} holds an export from another account or server; "
                "resume it with the same credentials and --region/--edge/--base-url"
            )
        return header, journal, replay
    if path.exists() or leftovers:
        found = path.name if path.exists() else leftovers[0].name
        hint = "" if resume else "rerun with --resume to continue it, or "
        raise ExportError(
            f"{out_dir} holds an unfinished export ({found}); {hint}choose another --out"
        )
    if fmt is not None and fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    header = JournalHeader(
        fmt=fmt or "jsonl",
        resources=_check_resources(resources if resources is not None else RESOURCES),
        source=dict(source),
    )
    return header, Journal.create(path, header), None


async def run_export(
    client: Client,
    out_dir: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    resume: bool = False,
    resources: Sequence[str] | None = None,
    page_size: int | None = None,
    workers: int = 32,
    progress: Progress | None = None,
    source: Mapping[str, str | int] | None = None,
    stale_cursors: bool = False,
    backlog: int = 2000,
) -> ExportSummary:
    """Export every record of ``resources`` (all by default) into ``out_dir``.

    ``fmt`` is ``"jsonl"`` (the default) or ``"csv"``. With ``resume``, an interrupted export
    in ``out_dir`` goes on from its journal (its format and resources unless given, which
    must then agree); without it, an unfinished export there is an ``ExportError``.
    ``page_size`` defaults to the largest each API allows. ``workers`` listings run at once;
    the client's own limit still bounds the requests. ``source`` identifies where the data
    comes from (never a secret): a resumed export must name the same. ``stale_cursors``:
    the server was restarted and no longer honours its page tokens, so unfinished listings
    start over and skip the records already written. ``backlog``: how many child listings
    may wait before the listings that produce them pause.
    """
    if workers < 1:
        raise ExportError("workers must be at least 1")
    directory = Path(out_dir)
    header, journal, replay = _open_journal(
        directory, fmt=fmt, resume=resume, resources=resources, source=source or {}
    )
    export = _Export(
        client,
        directory,
        header,
        journal,
        page_size=page_size,
        workers=workers,
        progress=progress or Progress(io.StringIO(), "quiet"),
        stale_cursors=stale_cursors,
        backlog=backlog,
    )
    summary = await export.run(replay)
    return attrs.evolve(summary, peak_waiting=export.peak_waiting)
