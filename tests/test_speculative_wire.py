"""The next page guessed from the raw body and sent before the page is decoded, on the wire.

The server runs in its own thread (``page_server_support``); the page's decoding is observed
through the SDK's JSON parser, which the decode of every page calls once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from page_server_support import PAGES, PER_PAGE, WAIT, PageServer, page_server, service

from twilio_proxy_async import Client, _json
from twilio_proxy_async._pages import PEEK_WINDOW

from helpers import ACCOUNT, TOKEN

EVERY_SID = [service(n)["sid"] for n in range(PAGES * PER_PAGE)]


@pytest.fixture
def server() -> Iterator[PageServer]:
    with page_server() as state:
        yield state


@pytest.fixture
def evil() -> Iterator[PageServer]:
    """Another origin: it must never see a request."""
    with page_server() as state:
        yield state


def watch_decoding(
    monkeypatch: pytest.MonkeyPatch, server: PageServer, at_decode: Callable[[int], object]
) -> list[int]:
    """Calls ``at_decode(page)`` as each page's body is decoded; returns the pages decoded."""
    decoded: list[int] = []
    parse = _json.loads

    def loads(body: bytes) -> object:
        index = server.index_of(body)
        decoded.append(index)
        at_decode(index)
        return parse(body)

    monkeypatch.setattr(_json, "loads", loads)
    return decoded


async def list_sids(server: PageServer, started: list[str], **options: int) -> list[str]:
    """The listing's SIDs; ``started`` gets the URL of every request the client began."""
    hooks = {"request": [lambda event: started.append(event.url)]}
    async with Client(ACCOUNT, TOKEN, base_url=server.url, event_hooks=hooks) as client:
        return [record.sid async for record in client.proxy.services.list(**options)]


def page_urls(server: PageServer) -> list[str]:
    """Every page's URL as the client requests it: the first as built, the rest as named."""
    first = f"{server.url}/v1/Services?PageSize={PER_PAGE}"
    return [first, *(server.page_url(index) for index in range(1, PAGES))]


@pytest.mark.parametrize("layout", ["meta last", "meta first"])
async def test_the_next_request_arrives_before_the_page_is_decoded(
    server: PageServer, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    server.layout = layout
    # Records longer than the window the URL is read from: meta first is found at the start.
    server.padding = PEEK_WINDOW // PER_PAGE
    ahead: list[bool] = []

    def at_decode(index: int) -> None:
        # Blocks the loop: only a request already written can reach the server now.
        if index + 1 < PAGES:
            ahead.append(server.arrived[index + 1].wait(WAIT))

    decoded = watch_decoding(monkeypatch, server, at_decode)
    started: list[str] = []
    assert await list_sids(server, started, page_size=PER_PAGE) == EVERY_SID
    assert decoded == list(range(PAGES))
    assert ahead == [True] * (PAGES - 1)
    assert started == [server.url + path for path in server.requests] == page_urls(server)


async def test_without_prefetch_nothing_is_guessed(
    server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead: list[bool] = []

    def at_decode(index: int) -> None:
        if index + 1 < PAGES:
            ahead.append(server.arrived[index + 1].is_set())

    watch_decoding(monkeypatch, server, at_decode)
    async with Client(ACCOUNT, TOKEN, base_url=server.url) as client:
        listing = client.proxy.services.list(page_size=PER_PAGE, prefetch=False)
        assert [record.sid async for record in listing] == EVERY_SID
    assert ahead == [False] * (PAGES - 1)


@pytest.mark.parametrize("layout", ["meta last", "meta first", "decoy after meta"])
async def test_a_record_naming_another_origin_never_gets_a_request(
    server: PageServer, evil: PageServer, layout: str
) -> None:
    server.layout = layout
    for index in range(PAGES):
        server.decoy[index] = f"{evil.url}/v1/Services?PageSize={PER_PAGE}&Page={index + 1}"
    started: list[str] = []
    assert await list_sids(server, started, page_size=PER_PAGE) == EVERY_SID
    assert started == page_urls(server)
    assert evil.requests == []


async def test_a_wrong_same_origin_guess_is_cut_off_and_the_real_page_followed(
    server: PageServer,
) -> None:
    # A key after meta is the body's last: page 1's guess skips to a page the decoded meta
    # does not name.
    server.layout = "decoy after meta"
    decoy = server.decoy[1] = f"{server.url}/v1/Services?PageSize={PER_PAGE}&Page=3&Decoy=1"
    started: list[str] = []
    assert await list_sids(server, started, page_size=PER_PAGE) == EVERY_SID
    assert await asyncio.to_thread(server.decoy_cut.wait, WAIT)
    # One cancelled GET, every page once, in order.
    urls = page_urls(server)
    assert started == [*urls[:2], decoy, *urls[2:]]


async def test_a_wrong_guess_on_the_last_page_is_cut_off_and_the_listing_ends(
    server: PageServer,
) -> None:
    server.layout = "decoy after meta"
    server.decoy[PAGES - 1] = f"{server.url}/v1/Services?PageSize={PER_PAGE}&Page=9&Decoy=1"
    decoy = server.decoy[PAGES - 1]
    started: list[str] = []
    hooks = {"request": [lambda event: started.append(event.url)]}
    async with Client(ACCOUNT, TOKEN, base_url=server.url, event_hooks=hooks) as client:
        got = [record.sid async for record in client.proxy.services.list(page_size=PER_PAGE)]
        # Cut off before the listing ended: no task is left behind.
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
        assert await asyncio.to_thread(server.decoy_cut.wait, WAIT)
    assert got == EVERY_SID
    assert started == [*page_urls(server), decoy]


@pytest.mark.parametrize("pages", [1, 2, PAGES - 1])
async def test_a_limit_on_a_page_boundary_requests_no_page_past_it(
    server: PageServer, pages: int
) -> None:
    limit = pages * PER_PAGE
    started: list[str] = []
    assert await list_sids(server, started, page_size=PER_PAGE, limit=limit) == EVERY_SID[:limit]
    assert started == page_urls(server)[:pages]
