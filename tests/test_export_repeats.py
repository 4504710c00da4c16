"""A record Twilio lists twice in one listing (live data shifting between two page requests):
every format writes it once, spawns its child listings once, and counts the repeat in the
manifest and the summary, through an interruption and ``resume`` too."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from emulator_support import client_for
from export_support import (
    FORMATS,
    MANIFEST,
    SMALL,
    assert_exported_once,
    interrupt_export,
    read_records,
)

from twilio_proxy_async import AiohttpTransport, Client, RawResponse
from twilio_proxy_async._export import RESOURCES, Progress, run_export
from twilio_proxy_async._table import COLLECTIONS
from twilio_proxy_async.testing import Emulator

pytestmark = pytest.mark.twilio_emulator(demo=SMALL)

# Pages of 2: a Service's numbers and Sessions, and the Services, span several pages.
PAGE_SIZE = 2
# The last segment of a listing's path, and its API version, name the exported resource.
RESOURCE_OF = {
    (table.api.version, table.path.rsplit("/", 1)[1]): table.name
    for table in COLLECTIONS
    if table.name in RESOURCES
}


class Shifting:
    """What a listing looks like while records are added at its head between requests:
    every page after the first starts with the last record of the page before it.

    ``last`` outlives one client, so a resumed export sees the same shifted pages."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, int], object] = {}
        # The pages that repeat a record, per resource: what the manifest must count.
        self.repeating: dict[str, set[tuple[str, int]]] = {}

    def transport(self) -> AiohttpTransport:
        return _ShiftingTransport(self)

    def shift(self, url: str, response: RawResponse) -> RawResponse:
        body = json.loads(response.body) if response.status == 200 else None
        meta = body.get("meta") if isinstance(body, dict) else None
        if not isinstance(meta, dict) or not isinstance(body, dict):
            return response
        path, page, records = urlsplit(url).path, meta["page"], body[meta["key"]]
        earlier = self.last.get((path, page - 1))
        if records:
            self.last[(path, page)] = records[-1]
        if earlier is None:
            return response
        body[meta["key"]] = [earlier, *records]
        version, *_, name = path.strip("/").split("/")
        self.repeating.setdefault(RESOURCE_OF[(version, name)], set()).add((path, page))
        return RawResponse(response.status, response.headers, json.dumps(body).encode())

    def counts(self) -> dict[str, int]:
        return {name: len(self.repeating.get(name, ())) for name in RESOURCES}


class _ShiftingTransport(AiohttpTransport):
    def __init__(self, shifting: Shifting) -> None:
        super().__init__()
        self._shifting = shifting

    async def send(self, method: str, url: str, *exchange: Any, **limits: Any) -> RawResponse:
        response = await super().send(method, url, *exchange, **limits)
        return self._shifting.shift(url, response) if method == "GET" else response


def shifted_client(emu: Emulator, shifting: Shifting) -> Client:
    return client_for(emu, transport=shifting.transport())


def manifest_repeats(out_dir: Path) -> dict[str, int]:
    manifest = json.loads((out_dir / MANIFEST).read_text())
    return {name: entry["repeated"] for name, entry in manifest["resources"].items()}


@pytest.mark.parametrize("fmt", FORMATS)
async def test_a_record_listed_twice_is_exported_once_and_counted(
    emu: Emulator, tmp_path: Path, fmt: str
) -> None:
    shifting = Shifting()
    out = io.StringIO()
    async with shifted_client(emu, shifting) as client:
        summary = await run_export(
            client, tmp_path, fmt=fmt, page_size=PAGE_SIZE, progress=Progress(out, "lines")
        )
    expected = shifting.counts()
    # Sessions span 6 pages per Service, numbers 2: the shift happened, and was counted.
    assert expected["sessions"] == 10 and expected["phone_numbers"] == 2
    assert manifest_repeats(tmp_path) == expected
    assert dict(summary.repeated) == expected
    assert "(10 listed twice by Twilio, kept once)" in out.getvalue()
    # One row per SID, and nothing lost: exactly the records the emulator holds.
    assert_exported_once(tmp_path, emu.snapshot(), fmt=fmt)
    assert summary.total == sum(len(records) for records in emu.snapshot().values())


@pytest.mark.twilio_emulator(demo=SMALL, record_requests=True)
async def test_a_repeated_record_spawns_its_child_listings_once(
    emu: Emulator, tmp_path: Path
) -> None:
    shifting = Shifting()
    async with shifted_client(emu, shifting) as client:
        await run_export(client, tmp_path, page_size=PAGE_SIZE)
    listed = Counter(
        request.path for request in emu.requests if request.path.endswith("/Participants")
    )
    sessions = read_records(tmp_path, "sessions")
    assert len(listed) == len(sessions)
    assert set(listed.values()) == {1}, "a Session's Participants listed twice"


async def test_nothing_repeated_counts_zero(emu: Emulator, tmp_path: Path) -> None:
    async with client_for(emu) as client:
        summary = await run_export(client, tmp_path, page_size=PAGE_SIZE)
    assert manifest_repeats(tmp_path) == dict.fromkeys(RESOURCES, 0)
    assert set(summary.repeated.values()) == {0}


# After 3 pages a Service's numbers are part-way (their SIDs are read back from the store);
# after 12, its Sessions (their SIDs are those the journal says they spawned listings for).
@pytest.mark.parametrize("pages", [3, 12])
@pytest.mark.parametrize("fmt", FORMATS)
async def test_repeats_across_an_interruption_are_still_written_once(
    emu: Emulator, tmp_path: Path, fmt: str, pages: int
) -> None:
    shifting = Shifting()
    async with shifted_client(emu, shifting) as client:
        await interrupt_export(client, tmp_path, pages, fmt=fmt, page_size=PAGE_SIZE)
    # The resumed listings are shifted the same way: the record that ends the last page
    # written before the interruption opens the first page after it.
    async with shifted_client(emu, shifting) as client:
        summary = await run_export(client, tmp_path, resume=True, page_size=PAGE_SIZE)
    assert_exported_once(tmp_path, emu.snapshot(), fmt=fmt)
    assert manifest_repeats(tmp_path) == shifting.counts()
    assert dict(summary.repeated) == shifting.counts()
