"""The aiohttp server: auth, recording, fault injection, and dispatch to the handlers."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import os
import re
import secrets
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote

import aiohttp
from aiohttp import web

from .._converter import structure
from .._hosts import is_loopback
from ..models.interaction import Interaction
from ._callbacks import CallbackSender, SentCallback
from ._demo import DemoData, demo_account_sid, seed_demo
from ._errors import (
    AUTHENTICATE,
    INTERNAL_ERROR,
    SERVICE_UNAVAILABLE,
    ApiError,
    ApiRequest,
    Reply,
    invalid,
)
from ._faults import FaultInjector, Faults
from ._recording import DEFAULT_MAX_REQUESTS, RecordedRequest, RequestLog, recorded_headers
from ._records import Site
from ._routes import resolve
from ._simulate import Delivery, Kind, SimulationResult, Simulator
from ._simulate_http import PREFIX as SIMULATION_PREFIX
from ._simulate_http import simulation_reply
from ._store import Store
from ._wire import BAD_GATEWAY_PAGE, EmulatorStats, Wire, random_sid

_FORM_TYPE = "application/x-www-form-urlencoded"


def _parse_form(body: bytes) -> tuple[tuple[str, str], ...]:
    """The form's pairs; UnicodeDecodeError when its bytes or %-escapes are not UTF-8."""
    text = body.decode("utf-8")
    return tuple(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict"))


# A stalled handler is woken by stop(); this only bounds handlers stuck elsewhere.
_SHUTDOWN_TIMEOUT = 2.0
# A Host header worth echoing into next-page URLs: a name or an IP literal, and a port.
_HOST_HEADER = re.compile(
    r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
)
# Every path, newlines included: a unique name may hold any character, percent-encoded.
_EVERY_PATH = r"/{tail:[\s\S]*}"


def _request_log(record_requests: bool | int) -> RequestLog | None:
    if record_requests is True:
        return RequestLog(DEFAULT_MAX_REQUESTS)
    if record_requests is False or record_requests == 0:
        return None
    if record_requests < 0:
        raise ValueError(
            f"record_requests must be a bool or a positive count, got {record_requests}"
        )
    return RequestLog(record_requests)


def _check_loopback(host: str) -> None:
    if not is_loopback(host):
        raise ValueError(f"the emulator only binds to loopback addresses, not {host!r}")


class Emulator:
    """A stateful stand-in for Twilio Proxy v1 and Chat v2 Services on loopback.

    ``async with Emulator() as emu:`` serves on ``emu.url`` and accepts Basic auth with
    ``emu.account_sid``/``emu.auth_token`` or ``emu.api_key``/``emu.api_secret``.

    Args:
        host: the loopback address to bind (``127.0.0.1``, ``::1``, ``localhost``); any other
            raises ``ValueError``. Default ``127.0.0.1``.
        port: the TCP port to listen on, 0 to 65535. Default 0: a free port chosen by the system.
        account_sid: the Account SID (``AC`` + 32 hex digits) the emulator answers for. Default
            None: a random one, or the demo data's own when ``demo`` is given.
        auth_token: the auth token accepted with ``account_sid`` and used to sign callbacks.
            Default None: 32 random hex digits.
        api_key: an API key SID (``SK...``) accepted as Basic auth user too. Default None: a
            random one.
        api_secret: the secret accepted with ``api_key``. Default None: 32 random hex digits.
        demo: the :class:`DemoData` to seed the store with at start. Default None: start empty.
        faults: the :class:`Faults` to inject into answers (latency, 429s, 5xx, resets). Default
            None: no faults.
        record_requests: keep the authenticated requests for ``requests``: True keeps the last
            10,000, a positive number keeps that many. Default False: keep none.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        account_sid: str | None = None,
        auth_token: str | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        demo: DemoData | None = None,
        faults: Faults | None = None,
        record_requests: bool | int = False,
    ) -> None:
        _check_loopback(host)
        self._host = host
        self._port = port
        if account_sid is None:
            account_sid = random_sid("AC") if demo is None else demo_account_sid(demo.seed)
        self.account_sid = account_sid
        self.auth_token = auth_token or secrets.token_hex(16)
        self.api_key = api_key or random_sid("SK")
        self.api_secret = api_secret or secrets.token_hex(16)
        self._demo = demo
        self._injector = FaultInjector(faults or Faults())
        self._log = _request_log(record_requests)
        self.delivered: list[Delivery] = []
        self.callbacks: list[SentCallback] = []
        self.stats = EmulatorStats()
        self._wire = Wire(self.stats)
        self._runner: web.AppRunner | None = None
        self._store: Store | None = None
        self._url: str | None = None
        self._stopping = asyncio.Event()

    @property
    def url(self) -> str:
        """The base URL to hand ``Client(base_url=...)``, once started."""
        if self._url is None:
            raise RuntimeError("the emulator is not started")
        return self._url

    @property
    def requests(self) -> RequestLog:
        """The authenticated requests received, oldest first, without their credentials.

        Only kept when the emulator was created with ``record_requests`` (``True`` keeps
        the last 10,000; a number keeps that many), so a long-running emulator never grows.
        """
        if self._log is None:
            raise RuntimeError(
                "this emulator records no requests; create it with Emulator(record_requests=True)"
            )
        return self._log

    @property
    def faults(self) -> Faults:
        return self._injector.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._injector = FaultInjector(faults)

    async def start(self) -> None:
        """Bind, seed the demo data and serve; an emulator starts once."""
        if self._runner is not None or self._stopping.is_set():
            raise RuntimeError("an emulator starts once; create a new one instead")
        app = web.Application()
        app.router.add_route("*", _EVERY_PATH, self._handle)
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        self._runner = runner
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except BaseException:
            await self.stop()
            raise
        port = runner.addresses[0][1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._url = f"http://{host}:{port}"
        self._store = Store(Site(self._url, self.account_sid), os.urandom(32))
        if self._demo is not None:
            seed_demo(self._store, self._demo)

    async def stop(self) -> None:
        """Stop serving: stalled handlers are woken, then the server and its connections close."""
        self._stopping.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def simulate_message(self, from_: str, to: str, body: str) -> Interaction | None:
        """A message from participant ``from_`` to proxy number ``to``, run through Twilio's
        Proxy flow: the open session holding that pair, else the out-of-session callback
        (an auto-create JSON answer opens one); the intercept callback (403 blocks); the
        interaction, delivery to the other participant (``delivered``) and the status
        callbacks. Every callback is signed with ``auth_token``; each must be on loopback
        (``SimulationError`` otherwise). None when blocked or no session took it.

        Args:
            from_: the participant's own address (E.164 phone number, e.g. ``+15558675310``).
            to: the proxy number the participant writes to (E.164), one of the Service's numbers.
            body: the message text, delivered as is to the other participant.
        """
        return self._interaction(await self.run_simulation("message", from_, to, body))

    async def simulate_call(self, from_: str, to: str) -> Interaction | None:
        """A call from participant ``from_`` to proxy number ``to``; as ``simulate_message``.

        Args:
            from_: the participant's own address (E.164 phone number, e.g. ``+15558675310``).
            to: the proxy number the participant calls (E.164), one of the Service's numbers.
        """
        return self._interaction(await self.run_simulation("call", from_, to, None))

    async def run_simulation(
        self, kind: Kind, from_: str, to: str, body: str | None
    ) -> SimulationResult:
        """The simulation with its outcome spelled out (``delivered``, ``blocked``,
        ``no-session``, ``unknown-number``, ``session-refused``, ``undeliverable``).

        Args:
            kind: what the participant sends: ``"message"`` or ``"call"``.
            from_: the participant's own address (E.164 phone number, e.g. ``+15558675310``).
            to: the proxy number the participant reaches (E.164), one of the Service's numbers.
            body: the message text for a message; None for a call.
        """
        store = self._started()
        async with aiohttp.ClientSession() as session:
            sender = CallbackSender(self.auth_token, session)
            try:
                return await Simulator(store, sender, self.delivered).run(kind, from_, to, body)
            finally:
                self.callbacks.extend(sender.sent)

    def _interaction(self, result: SimulationResult) -> Interaction | None:
        if result.outcome != "delivered" and result.outcome != "undeliverable":
            return None
        assert result.interaction is not None
        record = result.interaction.to_dict(self._started().site)
        return structure(record, Interaction)

    def _started(self) -> Store:
        if self._store is None:
            raise RuntimeError("the emulator is not started")
        return self._store

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every record as the API returns it, grouped by kind, in list order."""
        if self._store is None:
            raise RuntimeError("the emulator is not started")
        return {
            kind: [json.loads(payload) for payload in payloads]
            for kind, payloads in self._store.snapshot().items()
        }

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        stats = self.stats
        stats.requests_total += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            # Before the body is read: an unauthenticated caller costs neither memory nor a record.
            if not self._authenticated(request):
                return self._wire.reply(
                    Reply(401, ApiError(401, AUTHENTICATE, "Authenticate").body())
                )
            body = await request.read()
            form: tuple[tuple[str, str], ...] = ()
            if request.content_type == _FORM_TYPE:
                try:
                    form = _parse_form(body)
                except UnicodeDecodeError:
                    # Stored as U+FFFD, a value would silently differ from what was sent.
                    error = invalid("The request body is not UTF-8 (raw or percent-encoded)")
                    return self._wire.reply(Reply(error.status, error.body()))
            raw_path, _, raw_query = request.raw_path.partition("?")
            if raw_path.startswith(SIMULATION_PREFIX):
                return self._wire.reply(
                    await simulation_reply(
                        request.method,
                        request.path,
                        form,
                        run=self.run_simulation,
                        delivered=self.delivered,
                        site=self._started().site,
                    )
                )
            if self._log is not None:
                self._log.append(
                    RecordedRequest(
                        method=request.method,
                        path=request.path,
                        query=tuple(request.query.items()),
                        raw_query=raw_query,
                        form=form,
                        headers=recorded_headers(request.headers),
                    )
                )
            return await self._respond(request, raw_path, form)
        finally:
            stats.in_flight -= 1

    async def _respond(
        self, request: web.Request, raw_path: str, form: tuple[tuple[str, str], ...]
    ) -> web.StreamResponse:
        injector = self._injector
        faults = injector.faults
        if not faults.applies_to(request.method, request.path):
            return self._wire.reply(self._dispatch(request, raw_path, form))
        if faults.concurrency_limit is not None and self.stats.in_flight > faults.concurrency_limit:
            return self._wire.throttled(
                "concurrency_limit", "Too many concurrent requests", faults.retry_after
            )
        draw = injector.draw()
        if draw.delay > 0:
            self._wire.count_fault("stall" if faults.stall else "latency")
            if not await self._pause(draw.delay):
                return self._wire.drop(request)
        if draw.outcome is not None:
            self._wire.count_fault(draw.outcome)
        if draw.outcome == "rate_429":
            return self._wire.throttled(None, "Too Many Requests", faults.retry_after)
        if draw.outcome == "rate_500":
            if draw.server_unavailable:
                return self._wire.error(ApiError(503, SERVICE_UNAVAILABLE, "Service Unavailable"))
            return self._wire.error(ApiError(500, INTERNAL_ERROR, "Internal Server Error"))
        if draw.outcome == "rate_html_502":
            return self._wire.raw(502, BAD_GATEWAY_PAGE, "text/html")
        if draw.outcome == "rate_reset":
            return self._wire.drop(request)
        reply = self._dispatch(request, raw_path, form)
        if draw.outcome == "rate_truncated_json":
            whole = reply.body or b"{}"
            return self._wire.raw(200, whole[: max(1, len(whole) // 2)], "application/json")
        if draw.outcome == "rate_reset_mid_body":
            return await self._wire.reset_mid_body(request, reply)
        return self._wire.reply(reply)

    def _dispatch(
        self, request: web.Request, raw_path: str, form: tuple[tuple[str, str], ...]
    ) -> Reply:
        assert self._store is not None
        segments = tuple(unquote(part) for part in raw_path.strip("/").split("/"))
        path = "/" + "/".join(segments)
        try:
            handler, params = resolve(request.method, segments, path)
            api_request = ApiRequest(
                request.method,
                path,
                params,
                tuple(request.query.items()),
                form,
                self._origin(request),
            )
            return handler(self._store, api_request)
        except ApiError as error:
            return Reply(error.status, error.body())

    def _authenticated(self, request: web.Request) -> bool:
        """Compares bytes, so a password or token outside ASCII is a plain match or mismatch."""
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            decoded = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return False
        user, _, password = decoded.partition(b":")
        accepted = {
            self.account_sid.encode(): self.auth_token.encode(),
            self.api_key.encode(): self.api_secret.encode(),
        }
        expected = accepted.get(user)
        return (
            scheme.lower() == "basic"
            and expected is not None
            and secrets.compare_digest(password, expected)
        )

    def _origin(self, request: web.Request) -> str:
        """The origin the client used (``localhost`` or ``127.0.0.1``), for next-page URLs
        the client will accept as its own; the bound address when the Host is unusable."""
        host = request.headers.get("Host", "")
        return f"http://{host}" if _HOST_HEADER.fullmatch(host) else self.url

    async def _pause(self, delay: float) -> bool:
        """Sleeps unless stop() comes first; answers whether the request may go on."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._stopping.wait()
        return not self._stopping.is_set()
