"""Secrets stay secret and credentials stay home.

The auth token and API secret never show in a repr, a log record or an exception; the
Authorization header is never sent to another origin, by a next-page URL or a redirect;
SID arguments cannot smuggle path syntax and unique names are percent-encoded.
"""

from __future__ import annotations

import asyncio
import logging
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from emulator_support import LoopbackServer, client_for, loopback_server
from leak_support import exception_text, leaks

from twilio_proxy_async import (
    AsyncPager,
    AuthenticationError,
    Client,
    ClientClosedError,
    ConfigurationError,
    Cursor,
    InvalidParameterError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    ResponseValidationError,
    TwilioAPIError,
    TwilioConnectionError,
    TwilioError,
    TwilioTimeoutError,
)
from twilio_proxy_async.testing import Emulator, Faults, instant_retry_waits

from helpers import ACCOUNT

TOKEN = "tok3n-that-must-never-leak-0123456789"
API_KEY = "SK" + "b" * 32
API_SECRET = "s3cret-that-must-never-leak-9876543210"
KS = "KS" + "a" * 32
KC = "KC" + "a" * 32
KP = "KP" + "a" * 32
KI = "KI" + "a" * 32
PN = "PN" + "a" * 32
IS = "IS" + "a" * 32


def sdk_objects(root: object) -> Iterator[object]:
    """Every object of this SDK reachable from ``root`` through attributes, containers,
    closures and bound methods; plain values are followed but not yielded."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        current = stack.pop()
        if id(current) in seen or isinstance(current, str | bytes | int | float | bool):
            continue
        seen.add(id(current))
        module = type(current).__module__
        if module.startswith("twilio_proxy_async"):
            yield current
        elif not (module in ("builtins", "functools") or isinstance(current, BaseException)):
            continue
        if isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list | tuple | set | frozenset):
            stack.extend(current)
        elif isinstance(current, types.MethodType):
            stack.append(current.__self__)
        elif isinstance(current, types.FunctionType):
            stack.extend(cell.cell_contents for cell in current.__closure__ or ())
        stack.extend(getattr(current, "__dict__", {}).values())
        for slot in getattr(type(current), "__slots__", ()):
            if hasattr(current, slot):
                stack.append(getattr(current, slot))


def assert_nothing_reachable_leaks(root: object, secret: str, username: str) -> int:
    checked = 0
    for found in sdk_objects(root):
        for text in (repr(found), str(found)):
            assert not leaks(text, secret, username), f"{type(found).__name__}: {text}"
        checked += 1
    return checked


pytestmark = pytest.mark.twilio_emulator(auth_token=TOKEN, api_key=API_KEY, api_secret=API_SECRET)


def token_client(emu: Emulator, **settings: Any) -> Client:
    return Client(emu.account_sid, TOKEN, base_url=emu.url, **settings)


def key_client(emu: Emulator, **settings: Any) -> Client:
    return Client(
        emu.account_sid, api_key=API_KEY, api_secret=API_SECRET, base_url=emu.url, **settings
    )


@pytest.mark.parametrize(
    ("make", "secret", "username"),
    [(token_client, TOKEN, "account"), (key_client, API_SECRET, API_KEY)],
)
async def test_no_repr_or_str_reachable_from_the_client_shows_the_secret(
    emu: Emulator, make: Callable[[Emulator], Client], secret: str, username: str
) -> None:
    username = emu.account_sid if username == "account" else username
    async with make(emu) as client:
        made = await client.proxy.services.create(unique_name="repr-check")
        pager = client.proxy.services.list(page_size=1)
        await anext(pager)
        pages = client.proxy.services.list().pages()
        page = await anext(pages)
        roots: list[object] = [client, made, pager, page, pages, pager.cursor]
        checked = sum(assert_nothing_reachable_leaks(root, secret, username) for root in roots)
        await pager.aclose()
    # The walk reached the client, its transport, credentials, products and resources.
    kinds = {type(found).__name__ for found in sdk_objects(client)}
    assert {"Client", "Transport", "Credentials", "Product", "Services", "Origins"} <= kinds
    assert checked > 20
    assert_nothing_reachable_leaks(client, secret, username)


async def failures(emu: Emulator, client: Client) -> list[TwilioError]:
    """One of each failure a caller can see, all raised against the emulator."""
    caught: list[TwilioError] = []

    async def expect(kind: type[TwilioError], action: Awaitable[object]) -> None:
        with pytest.raises(kind) as raised:
            await action
        caught.append(raised.value)

    async with Client(emu.account_sid, "wrong-" + TOKEN, base_url=emu.url) as intruder:
        await expect(AuthenticationError, intruder.proxy.services.fetch(KS))
    await expect(NotFoundError, client.proxy.services.fetch(KS))
    emu.faults = Faults(rate_429=1.0, retry_after="0")
    await expect(RateLimitError, client.proxy.services.fetch(KS))
    emu.faults = Faults(rate_reset=1.0)
    await expect(TwilioConnectionError, client.proxy.services.fetch(KS))
    emu.faults = Faults(rate_reset_mid_body=1.0)
    await expect(TwilioConnectionError, client.proxy.services.create(unique_name="cut"))
    emu.faults = Faults(rate_truncated_json=1.0)
    await expect(ResponseValidationError, client.proxy.services.fetch("cut"))
    emu.faults = Faults(stall=30.0)
    async with token_client(emu, timeout=0.1, max_retries=1) as impatient:
        await expect(TwilioTimeoutError, impatient.proxy.services.fetch(KS))
    emu.faults = Faults()
    await expect(InvalidParameterError, client.proxy.services.delete("KS/../x"))
    async with token_client(emu) as closed:
        await closed.aclose()
        await expect(ClientClosedError, closed.proxy.services.fetch(KS))
    return caught


async def test_exceptions_never_show_the_secret(emu: Emulator) -> None:
    async with token_client(emu) as client:
        instant_retry_waits(client)
        caught = await failures(emu, client)
    assert len(caught) == 9
    for error in caught:
        text = exception_text(error)
        assert not leaks(text, TOKEN, emu.account_sid), text
        assert "wrong-" + TOKEN not in text


async def test_log_records_never_show_the_secret(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    asyncio.get_running_loop().set_debug(True)
    try:
        async with token_client(emu) as client:
            instant_retry_waits(client)
            await client.proxy.services.create(unique_name="logged")
            [service async for service in client.proxy.services.list()]
            caught = await failures(emu, client)
        async with key_client(emu) as keyed:
            emu.faults = Faults(rate_500=1.0)
            instant_retry_waits(keyed)
            with pytest.raises(TwilioAPIError):
                await keyed.proxy.services.fetch("logged")
            emu.faults = Faults()
    finally:
        asyncio.get_running_loop().set_debug(False)
    assert caught
    assert any("retrying" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        shown = [record.getMessage(), repr(record.args), repr(vars(record))]
        if record.exc_info and record.exc_info[1] is not None:
            shown.append(exception_text(record.exc_info[1]))
        for text in shown:
            assert not leaks(text, TOKEN, emu.account_sid), text
            assert not leaks(text, API_SECRET, API_KEY), text
    assert not leaks(caplog.text, TOKEN, emu.account_sid)


@pytest.fixture
async def origin() -> AsyncIterator[LoopbackServer]:
    async with loopback_server() as server:
        yield server


@pytest.fixture
async def foreign() -> AsyncIterator[LoopbackServer]:
    async def anything(request: web.Request) -> web.StreamResponse:
        return web.json_response({"services": [], "meta": {"key": "services"}})

    async with loopback_server(anything) as server:
        yield server


def one_page(next_page_url: str | None) -> dict[str, object]:
    records = [{"sid": f"KS{n:032x}"} for n in range(2)]
    return {"services": records, "meta": {"key": "services", "next_page_url": next_page_url}}


FOREIGN_NEXT_PAGES = [
    "{foreign}/v1/Services?Page=1&PageToken=PA1",
    "http://localhost:{origin_port}/v1/Services?Page=1&PageToken=PA1",
    "https://127.0.0.1:{origin_port}/v1/Services?Page=1&PageToken=PA1",
    "http://user:pass@127.0.0.1:{origin_port}/v1/Services?Page=1",
    "//127.0.0.1:{foreign_port}/v1/Services?Page=1",
    "/v1/Services?Page=1&PageToken=PA1",
    "https://proxy.twilio.com.127.0.0.1.nip.io/v1/Services?Page=1",
    "https://chat.twilio.com/v1/Services?Page=1",
]


@pytest.mark.parametrize("template", FOREIGN_NEXT_PAGES)
async def test_a_next_page_on_another_origin_is_refused_and_nothing_is_sent_there(
    origin: LoopbackServer, foreign: LoopbackServer, template: str
) -> None:
    next_url = template.format(
        foreign=foreign.url, origin_port=origin.port, foreign_port=foreign.port
    )

    async def first_page(request: web.Request) -> web.StreamResponse:
        return web.json_response(one_page(next_url))

    origin.handler = first_page
    seen: list[str] = []
    async with Client(ACCOUNT, TOKEN, base_url=origin.url) as client:
        with pytest.raises(PaginationError) as caught:
            async for service in client.proxy.services.list():
                seen.append(service.sid)
    assert isinstance(caught.value, TwilioError)
    assert seen == [f"KS{n:032x}" for n in range(2)]
    assert foreign.raw_paths == []
    assert origin.raw_paths == ["/v1/Services"]


async def test_twilios_canonical_next_page_url_is_brought_home(origin: LoopbackServer) -> None:
    async def pages(request: web.Request) -> web.StreamResponse:
        last = "Page=1" in request.raw_path
        canonical = "https://proxy.twilio.com/v1/Services?Page=1&PageToken=PA%2B1%3D"
        return web.json_response(one_page(None if last else canonical))

    origin.handler = pages
    async with Client(ACCOUNT, TOKEN, base_url=origin.url) as client:
        assert len([s async for s in client.proxy.services.list()]) == 4
    assert origin.raw_paths == ["/v1/Services", "/v1/Services?Page=1&PageToken=PA%2B1%3D"]
    assert origin.authorizations[0] == origin.authorizations[1] is not None


async def test_resuming_from_a_foreign_cursor_is_refused_before_any_request(
    origin: LoopbackServer, foreign: LoopbackServer
) -> None:
    async with Client(ACCOUNT, TOKEN, base_url=origin.url) as client:
        with pytest.raises(PaginationError):
            client.proxy.services.list().resume(Cursor(foreign.url + "/v1/Services?Page=3"))
    assert origin.raw_paths == foreign.raw_paths == []


async def test_the_transport_itself_refuses_another_origin(
    origin: LoopbackServer, foreign: LoopbackServer
) -> None:
    async with Client(ACCOUNT, TOKEN, base_url=origin.url) as client:
        with pytest.raises(TwilioError, match="refusing to send credentials"):
            await client._transport.request("GET", foreign.url + "/v1/Services")
    assert foreign.raw_paths == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirects_are_not_followed_to_another_server(
    origin: LoopbackServer, foreign: LoopbackServer, status: int
) -> None:
    async def redirect(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": foreign.url + request.raw_path})

    origin.handler = redirect
    async with Client(ACCOUNT, TOKEN, base_url=origin.url) as client:
        with pytest.raises(TwilioAPIError) as fetched:
            await client.proxy.services.fetch(KS)
        with pytest.raises(TwilioAPIError) as created:
            await client.proxy.services.create(unique_name="moved")
        with pytest.raises(TwilioAPIError) as listed:
            [s async for s in client.proxy.services.list()]
    for caught in (fetched, created, listed):
        assert type(caught.value) is TwilioAPIError
        assert caught.value.status == status
    assert foreign.raw_paths == []
    assert len(origin.raw_paths) == 3


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8080", "http://127.3.4.5", "http://localhost:1", "http://[::1]:8080"],
)
def test_plain_http_is_accepted_for_loopback(base_url: str) -> None:
    Client(ACCOUNT, TOKEN, base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io:8080",
        "http://0.0.0.0:8080",
        "http://192.168.1.10",
        "http://[::]:8080",
        "http://[fe80::1]",
        "http://proxy.twilio.com",
    ],
)
def test_plain_http_is_refused_off_loopback(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="plain http"):
        Client(ACCOUNT, TOKEN, base_url=base_url)


HOSTILE_SIDS = [
    f"{KS}/..",
    f"../{KS}",
    f"{KS}?PageSize=1",
    f"{KS}#fragment",
    "KS%2F" + "a" * 29,
    f"{KS}%2F",
    f"{KS}/",
    "..",
    "KS" + "a" * 30 + "/.",
    "KS" + "a" * 31 + "#",
    f" {KS}",
    f"{KS}\n",
]

SidCall = Callable[[Client, str], object]

SID_CALLS: dict[str, SidCall] = {
    "services.update": lambda c, bad: c.proxy.services.update(bad, default_ttl=1),
    "services.delete": lambda c, bad: c.proxy.services.delete(bad),
    "sessions.list(service)": lambda c, bad: c.proxy.sessions.list(bad),
    "sessions.create(service)": lambda c, bad: c.proxy.sessions.create(bad),
    "sessions.fetch(service)": lambda c, bad: c.proxy.sessions.fetch(bad, "name"),
    "sessions.delete": lambda c, bad: c.proxy.sessions.delete(KS, bad),
    "participants.fetch(session)": lambda c, bad: c.proxy.participants.fetch(KS, bad, KP),
    "participants.delete": lambda c, bad: c.proxy.participants.delete(KS, KC, bad),
    "interactions.fetch": lambda c, bad: c.proxy.interactions.fetch(KS, KC, bad),
    "message_interactions.list": lambda c, bad: c.proxy.message_interactions.list(KS, KC, bad),
    "message_interactions.fetch": lambda c, bad: c.proxy.message_interactions.fetch(
        KS, KC, KP, bad
    ),
    "phone_numbers.update": lambda c, bad: c.proxy.phone_numbers.update(KS, bad, is_reserved=True),
    "chat.services.fetch": lambda c, bad: c.chat.services.fetch(bad),
    "chat.services.delete": lambda c, bad: c.chat.services.delete(bad),
}


@pytest.mark.parametrize("hostile", HOSTILE_SIDS)
async def test_sids_with_path_syntax_are_refused_before_any_request(
    origin: LoopbackServer, hostile: str
) -> None:
    async with Client(ACCOUNT, TOKEN, base_url=origin.url) as client:
        for name, call in SID_CALLS.items():
            with pytest.raises(InvalidParameterError):
                made = call(client, hostile)
                if isinstance(made, AsyncPager):
                    await anext(made)
                else:
                    assert isinstance(made, Awaitable), name
                    await made
    assert origin.raw_paths == []


UNIQUE_NAMES = {
    "a/b": "a%2Fb",
    "../Sessions": "..%2FSessions",
    "x?PageSize=1": "x%3FPageSize%3D1",
    "x#frag": "x%23frag",
    "pre%2Fencoded": "pre%252Fencoded",
    "sp ace+plus": "sp%20ace%2Bplus",
    "ünï/cødé": "%C3%BCn%C3%AF%2Fc%C3%B8d%C3%A9",
    "..": "..",
}


async def test_unique_names_are_percent_encoded_in_the_path(origin: LoopbackServer) -> None:
    async def service(request: web.Request) -> web.StreamResponse:
        return web.json_response({"sid": KC if "/Sessions/" in request.raw_path else KS})

    origin.handler = service
    async with Client(ACCOUNT, TOKEN, base_url=origin.url) as client:
        for name in UNIQUE_NAMES:
            await client.proxy.services.fetch(name)
            await client.proxy.sessions.fetch(KS, name)
    expected = []
    for encoded in UNIQUE_NAMES.values():
        expected += [f"/v1/Services/{encoded}", f"/v1/Services/{KS}/Sessions/{encoded}"]
    assert origin.raw_paths == expected


async def test_unique_names_with_path_syntax_round_trip_through_the_emulator() -> None:
    async with Emulator() as emu, client_for(emu) as client:
        for name in UNIQUE_NAMES:
            if name == "..":
                continue
            made = await client.proxy.services.create(unique_name=name)
            fetched = await client.proxy.services.fetch(name)
            assert (fetched.sid, fetched.unique_name) == (made.sid, name)
        assert len(emu.snapshot()["services"]) == len(UNIQUE_NAMES) - 1
