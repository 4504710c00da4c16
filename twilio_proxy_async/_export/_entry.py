"""One export run against one output directory, with the guarantees the command gives.

``PreparedExport`` checks every option and locks the directory before anything is sent or
started (the command starts its demo emulator only after it); ``PreparedExport.run`` does
the export; ``run_export`` is both, for library callers. Whatever stops a run, the
directory is left in a state the next run reads truthfully: nothing of it when nothing was
saved, an unfinished export ``resume`` continues, or a complete one.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Self

from .._client import Client
from ._directory import DirectoryLock, Found, inspect, remove_other_exports, write_manifest
from ._errors import ExportError
from ._journal import JOURNAL_NAME, JournalHeader, Replay
from ._progress import ExportSummary, Progress
from ._runner import ExportEngine, check_resources
from ._schema import RESOURCES, TABLES
from ._sqlite import SqliteStore
from ._stores import FileStore, Store, discard_files, final_name
from ._writers import FORMATS

__all__ = ["PreparedExport", "describe", "run_export"]

# A larger --page-size than one API allows is cut to its largest page, listing by listing.
_LARGEST = max(table.api.max_page_size for table in TABLES.values())


def describe(found: Found, out_dir: Path) -> str:
    """What ``out_dir`` holds, and what to do next, in one sentence."""
    match found.state:
        case "complete":
            return f"the export in {out_dir} is complete ({found.records():,} records)"
        case "publishing":
            return (
                f"every record is saved in {out_dir}; rerun with --resume to finish "
                "publishing the files (nothing is exported again)"
            )
        case "unfinished":
            pages, records = found.saved()
            return (
                f"{pages:,} pages ({records:,} records) are saved in {out_dir}; "
                "rerun with --resume to continue"
            )
        case _:
            return f"nothing was saved; {out_dir} is as it was"


def _check_options(
    fmt: str | None,
    resume: bool,
    overwrite: bool,
    resources: Sequence[str] | None,
    page_size: int | None,
    workers: int,
) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if fmt == "parquet":
        from ._parquet import require_pyarrow

        require_pyarrow()
    if resume and overwrite:
        raise ExportError("--resume continues an export and --overwrite replaces it: choose one")
    if resources is not None:
        check_resources(resources)
    if page_size is not None and (type(page_size) is not int or not 1 <= page_size <= _LARGEST):
        raise ExportError(f"--page-size must be within 1..{_LARGEST}")
    if type(workers) is not int or workers < 1:
        raise ExportError("workers must be at least 1")


class PreparedExport:
    """An output directory locked for one export, checked against the options given.

    Made before anything is sent or started: a bad option, a directory in use or an
    export there these options may not touch is an ExportError at once.
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        *,
        fmt: str | None = None,
        resume: bool = False,
        overwrite: bool = False,
        resources: Sequence[str] | None = None,
        page_size: int | None = None,
        workers: int = 32,
    ) -> None:
        _check_options(fmt, resume, overwrite, resources, page_size, workers)
        self.out_dir = Path(out_dir)
        self._fmt, self._resources = fmt, resources
        self._page_size, self._workers = page_size, workers
        self._lock = DirectoryLock(self.out_dir)
        self._lock.acquire()
        try:
            self.found = inspect(self.out_dir)
            self._check_found(resume, overwrite)
        except BaseException:
            self._lock.release()
            raise
        self._overwrite = overwrite
        # After a failed run: what the directory holds now.
        self.after_failure: Found | None = None

    def _check_found(self, resume: bool, overwrite: bool) -> None:
        found, out = self.found, self.out_dir
        if found.state in ("unfinished", "publishing") and not overwrite:
            header = found.header
            assert header is not None
            if not resume:
                pages, records = found.saved()
                raise ExportError(
                    f"{out} holds an unfinished {header.fmt} export ({pages:,} pages, "
                    f"{records:,} records saved); rerun with --resume to continue it, "
                    "--overwrite to start over, or choose another --out"
                )
            self._check_same("", header.fmt, header.resources)
        elif found.state == "complete" and resume and not overwrite:
            # "Complete, nothing to do" must be true of the export these options ask for.
            entries = (found.manifest or {}).get("resources")
            names = tuple(entries) if isinstance(entries, dict) else ()
            self._check_same("complete ", str(found.fmt), names)
        elif found.state == "complete" and not resume and not overwrite:
            raise ExportError(
                f"{out} holds a complete {found.fmt} export ({found.records():,} records); "
                "--overwrite replaces it, --resume confirms it is complete, "
                "or choose another --out"
            )
        elif found.state == "foreign" and not overwrite:
            raise ExportError(
                f"{out} holds export files this run cannot account for "
                f"({', '.join(found.names[:3])}); --overwrite replaces them, "
                "or choose another --out"
            )

    def _check_same(self, state: str, fmt: str, resources: Sequence[str]) -> None:
        """``--resume`` continues (or confirms) the export the directory holds, no other."""
        out = self.out_dir
        if self._fmt is not None and self._fmt != fmt:
            raise ExportError(f"{out} holds a {state}{fmt} export; resume it as {fmt}")
        wanted = self._resources
        if wanted is not None and set(check_resources(wanted)) != set(resources):
            raise ExportError(
                f"{out} holds {'a ' + state if state else 'an '}export of {','.join(resources)}; "
                "resume it with the same --resources"
            )

    @property
    def complete(self) -> bool:
        """``--resume`` of a complete export: there is nothing to do."""
        return self.found.state == "complete" and not self._overwrite

    @property
    def header(self) -> JournalHeader | None:
        """The header of the unfinished export being resumed."""
        return None if self._overwrite else self.found.header

    def check_source(self, source: Mapping[str, str | int]) -> None:
        header = self.header
        if header is not None and dict(source) != dict(header.source):
            raise ExportError(
                f"{self.out_dir} holds an export from another account or server; "
                "resume it with the same credentials and --region/--edge/--base-url"
            )

    def close(self) -> None:
        # The directories the lock created go again if nothing was put in them.
        self._lock.remove_created()
        self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _completed(self, progress: Progress) -> ExportSummary:
        manifest = self.found.manifest or {}
        entries = manifest.get("resources")
        entries = entries if isinstance(entries, dict) else {}
        counts = {name: int(entry["records"]) for name, entry in entries.items()}
        summary = ExportSummary(
            out_dir=self.out_dir,
            files={name: self.out_dir / str(entry["file"]) for name, entry in entries.items()},
            counts=counts,
            repeated={name: int(entry.get("repeated", 0)) for name, entry in entries.items()},
            carried_over=sum(counts.values()),
            elapsed=0.0,
            already_complete=True,
        )
        progress.note(f"{describe(self.found, self.out_dir)}: nothing to do")
        return summary

    def _open(self, source: Mapping[str, str | int]) -> tuple[Store, Replay | None, JournalHeader]:
        header = self.header
        if header is not None:
            store: Store
            if header.fmt == "sqlite":
                store, replay = SqliteStore.reopen(self.out_dir)
            else:
                store, replay = FileStore.reopen(self.out_dir)
            return store, replay, header
        if self.found.state in ("unfinished", "publishing"):
            _discard_unfinished(self.out_dir, self.found)
        header = JournalHeader(
            fmt=self._fmt or "jsonl",
            resources=check_resources(self._resources or RESOURCES),
            source=dict(source),
        )
        opener = SqliteStore.create if header.fmt == "sqlite" else FileStore.create
        return opener(self.out_dir, header), None, header

    async def run(
        self,
        client: Client,
        *,
        progress: Progress | None = None,
        source: Mapping[str, str | int] | None = None,
        stale_cursors: bool = False,
        backlog: int = 2000,
    ) -> ExportSummary:
        progress = progress or Progress(io.StringIO(), "quiet")
        if self.complete:
            return self._completed(progress)
        self.check_source(source or {})
        store, replay, header = self._open(source or {})
        if replay is None:
            progress.begin(header.resources, {})
        else:
            progress.begin(
                header.resources,
                replay.by_resource(header.resources, "taken"),
                replay.by_resource(header.resources, "repeated"),
            )
        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twilio-export-writer")
        engine = ExportEngine(
            client,
            store,
            writer,
            header.resources,
            page_size=self._page_size,
            workers=self._workers,
            progress=progress,
            stale_cursors=stale_cursors,
            backlog=backlog,
        )
        loop = asyncio.get_running_loop()
        finished = replay is not None and replay.done
        try:
            if not finished:
                await engine.run(replay)
                await loop.run_in_executor(writer, store.finish)
                finished = True
            counts, repeated = dict(progress.counts), dict(progress.repeated)
            await loop.run_in_executor(writer, self._publish, store, header, counts, repeated)
        except BaseException:
            # A commit or the publishing may still be running on the writer thread: let it
            # end, so the directory is read (and left) in a settled state.
            writer.shutdown(wait=True)
            store.close()
            if replay is None and not finished and sum(progress.counts.values()) == 0:
                store.discard()
            self.after_failure = inspect(self.out_dir)
            raise
        finally:
            writer.shutdown(wait=True)
            progress.close()
        summary = ExportSummary(
            out_dir=self.out_dir,
            files={name: self.out_dir / final_name(header.fmt, name) for name in header.resources},
            counts=counts,
            repeated=repeated,
            carried_over=progress.carried_over,
            elapsed=progress.elapsed,
            peak_waiting=engine.peak_waiting,
        )
        progress.summary(summary)
        return summary

    def _publish(
        self,
        store: Store,
        header: JournalHeader,
        counts: Mapping[str, int],
        repeated: Mapping[str, int],
    ) -> None:
        # The manifest first: until the journal is gone the directory still reads as
        # "publishing", so an interruption anywhere here is finished by --resume.
        manifest = write_manifest(self.out_dir, header, counts, repeated)
        remove_other_exports(self.out_dir, manifest)
        store.publish()
        store.close()
        (self.out_dir / JOURNAL_NAME).unlink(missing_ok=True)


def _discard_unfinished(out_dir: Path, found: Found) -> None:
    """``--overwrite`` of an unfinished export: its journal and partial files go."""
    header = found.header
    assert header is not None
    discard_files(out_dir, header.fmt, header.resources)


async def run_export(
    client: Client,
    out_dir: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    resources: Sequence[str] | None = None,
    page_size: int | None = None,
    workers: int = 32,
    progress: Progress | None = None,
    source: Mapping[str, str | int] | None = None,
    stale_cursors: bool = False,
    backlog: int = 2000,
) -> ExportSummary:
    """Export every record of ``resources`` (all by default) into ``out_dir``.

    ``fmt`` is ``"jsonl"`` (the default), ``"csv"``, ``"sqlite"`` or ``"parquet"`` (the
    ``parquet`` extra). One export at a time per directory: another one running there is an
    ``ExportError`` at once. With ``resume``, an interrupted export in ``out_dir`` goes on
    from its journal (its format and resources unless given, which must then agree), and a
    complete one is left as it is (the summary says ``already_complete``). Without it, an
    unfinished or complete export there is an ``ExportError`` unless ``overwrite`` says to
    replace it. A run that fails having saved nothing leaves ``out_dir`` as it found it;
    the exception's notes say what is saved. ``page_size`` defaults to the largest each API
    allows. ``workers`` listings run at once; the client's own limit still bounds the
    requests. ``source`` identifies where the data comes from (never a secret): a resumed
    export must name the same. ``stale_cursors``: the server was restarted and no longer
    honours its page tokens, so unfinished listings start over and skip the records already
    written. ``backlog``: how many child listings may wait before those producing them pause.
    """
    with PreparedExport(
        out_dir,
        fmt=fmt,
        resume=resume,
        overwrite=overwrite,
        resources=resources,
        page_size=page_size,
        workers=workers,
    ) as prepared:
        try:
            return await prepared.run(
                client,
                progress=progress,
                source=source,
                stale_cursors=stale_cursors,
                backlog=backlog,
            )
        except BaseException as exc:
            if prepared.after_failure is not None:
                exc.add_note(describe(prepared.after_failure, prepared.out_dir))
            raise
