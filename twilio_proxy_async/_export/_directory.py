"""The output directory: one export at a time, and what it holds.

The lock is ``flock`` on the directory itself: no lock file to leave behind or go stale,
and the kernel drops it when the process ends, ``kill -9`` included. What the directory
holds is read from the files alone (journal, ``.part`` files, manifest), so a message
about it is true whichever run, or crash, left it so.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import attrs

from ._errors import ExportError
from ._journal import JOURNAL_NAME, JournalHeader, Replay, read_journal
from ._schema import RESOURCES, columns_of
from ._stores import MANIFEST_NAME, SQLITE_NAME, final_name, part_name
from ._writers import FORMATS

__all__ = [
    "DirectoryLock",
    "Found",
    "inspect",
    "read_manifest",
    "remove_other_exports",
    "write_manifest",
]

_MANIFEST_VERSION = 1

State = Literal["empty", "unfinished", "publishing", "complete", "foreign"]


def _known(kind: Literal["final", "part"]) -> list[str]:
    name = final_name if kind == "final" else part_name
    return sorted({name(fmt, resource) for fmt in FORMATS for resource in RESOURCES})


@attrs.frozen(kw_only=True)
class Found:
    """What an output directory holds."""

    state: State
    fmt: str | None = None
    replay: Replay | None = None
    manifest: Mapping[str, object] | None = None
    # For "foreign": export files this tool cannot account for.
    names: tuple[str, ...] = ()

    @property
    def header(self) -> JournalHeader | None:
        return self.replay.header if self.replay is not None else None

    def saved(self) -> tuple[int, int]:
        """(pages, records) an unfinished export holds."""
        if self.replay is None:
            return 0, 0
        return self.replay.pages, self.replay.records(self.replay.header.resources)

    def records(self) -> int:
        """Records of a complete export, from its manifest."""
        resources = (self.manifest or {}).get("resources")
        if not isinstance(resources, dict):
            return 0
        return sum(int(entry.get("records", 0)) for entry in resources.values())


def inspect(out_dir: Path) -> Found:
    """Read what ``out_dir`` holds (call with the lock held: SQLite may recover its WAL)."""
    if not out_dir.is_dir():
        return Found(state="empty")
    journal = out_dir / JOURNAL_NAME
    database = out_dir / part_name("sqlite", "")
    if journal.exists() or database.exists():
        if journal.exists():
            replay = read_journal(journal)
        else:
            from ._sqlite import read_sqlite_journal

            replay = read_sqlite_journal(database)
        return Found(
            state="publishing" if replay.done else "unfinished",
            fmt=replay.header.fmt,
            replay=replay,
        )
    parts = tuple(name for name in _known("part") if (out_dir / name).exists())
    if parts:
        return Found(state="foreign", names=parts)
    manifest = read_manifest(out_dir)
    if manifest is not None:
        return Found(state="complete", fmt=str(manifest.get("format")), manifest=manifest)
    finals = tuple(name for name in _known("final") if (out_dir / name).exists())
    if finals:
        return Found(state="foreign", names=finals)
    return Found(state="empty")


def read_manifest(out_dir: Path) -> Mapping[str, object] | None:
    path = out_dir / MANIFEST_NAME
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValueError:
        raise ExportError(f"{path} is damaged; remove it, or choose another --out") from None
    if not isinstance(data, dict) or data.get("export") != _MANIFEST_VERSION:
        raise ExportError(f"{path} was not written by this tool; choose another --out")
    return data


def write_manifest(
    out_dir: Path,
    header: JournalHeader,
    counts: Mapping[str, int],
    repeated: Mapping[str, int],
) -> Mapping[str, object]:
    """Say the export is complete, with each file's records, the records Twilio listed
    twice (kept once), and column types (a schema sidecar for the formats that carry no
    types of their own)."""
    manifest = {
        "export": _MANIFEST_VERSION,
        "format": header.fmt,
        "source": dict(header.source),
        "resources": {
            name: {
                "file": final_name(header.fmt, name),
                "records": counts.get(name, 0),
                "repeated": repeated.get(name, 0),
                "columns": {c.name: c.kind for c in columns_of(name)},
            }
            for name in header.resources
        },
    }
    path = out_dir / MANIFEST_NAME
    staging = out_dir / f"{MANIFEST_NAME}.part"
    with staging.open("w", encoding="utf-8") as file:
        json.dump(manifest, file, indent=2)
        file.write("\n")
        file.flush()
        os.fsync(file.fileno())
    os.replace(staging, path)
    return manifest


def remove_other_exports(out_dir: Path, keep: Mapping[str, object]) -> None:
    """Remove the files of any export but ``keep``'s (an ``--overwrite``n one), so the
    directory never mixes two exports, e.g. JSONL beside an older CSV."""
    resources = keep.get("resources")
    kept = set()
    if isinstance(resources, dict):
        kept = {str(entry["file"]) for entry in resources.values()}
    for name in (*_known("final"), SQLITE_NAME):
        if name not in kept:
            (out_dir / name).unlink(missing_ok=True)


class DirectoryLock:
    """An exclusive ``flock`` on the output directory, created if missing."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._fd: int | None = None
        self._created: list[Path] = []

    def acquire(self) -> None:
        directory = self.out_dir
        missing = [p for p in (directory, *directory.parents) if not p.exists()]
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except (FileExistsError, NotADirectoryError):
            raise ExportError(f"--out {directory} is not a directory") from None
        except OSError as exc:
            raise ExportError(f"cannot use --out {directory}: {exc.strerror}") from None
        self._created = missing  # deepest first, the order to remove them in
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise ExportError(
                    f"{directory} is in use: another export is writing to it; "
                    "wait for it to finish, or choose another --out"
                ) from None
            raise ExportError(f"cannot lock --out {directory}: {exc.strerror}") from None
        self._fd = fd
        if not os.access(directory, os.W_OK | os.X_OK):
            self.release()
            raise ExportError(f"cannot write to --out {directory}: permission denied")

    def remove_created(self) -> None:
        """Remove the directories ``acquire`` created, if they are still empty."""
        for path in self._created:
            try:
                path.rmdir()
            except OSError:
                return

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)
