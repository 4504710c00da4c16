"""The emulator on its own thread and event loop, behind a plain context manager, for sync
code: FastAPI's ``TestClient``, Django tests, scripts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from ..models.interaction import Interaction
from ._callbacks import SentCallback
from ._demo import DemoData
from ._faults import Faults
from ._recording import RecordedRequest
from ._server import Emulator
from ._simulate import Delivery

T = TypeVar("T")

# Starting binds a socket and seeds demo data; a simulation waits for up to three callbacks
# of 15 s each. Past these, something is stuck and the caller hears about it.
_START_TIMEOUT = 60.0
_CALL_TIMEOUT = 60.0
_STOP_TIMEOUT = 10.0


class BackgroundEmulator:
    """``with BackgroundEmulator(**options) as emu:`` serves an :class:`Emulator` (same
    keyword options) on a daemon thread until the block ends, then stops it and joins the
    thread. ``url``, ``account_sid``, ``auth_token``, ``api_key`` and ``api_secret`` are
    plain attributes; the rest runs on the emulator's loop and waits for the answer.

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
        # Built here, so a bad option raises in the caller's thread with its own traceback.
        self._emulator = Emulator(
            host=host,
            port=port,
            account_sid=account_sid,
            auth_token=auth_token,
            api_key=api_key,
            api_secret=api_secret,
            demo=demo,
            faults=faults,
            record_requests=record_requests,
        )
        self.account_sid = self._emulator.account_sid
        self.auth_token = self._emulator.auth_token
        self.api_key = self._emulator.api_key
        self.api_secret = self._emulator.api_secret
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._release: asyncio.Event | None = None
        self._failure: BaseException | None = None

    def start(self) -> None:
        """Start the emulator on its own daemon thread and wait until it serves on ``url``."""
        if self._thread is not None:
            raise RuntimeError("a background emulator starts once; create a new one instead")
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="twilio-proxy-emulator", daemon=True
        )
        self._thread.start()
        if not ready.wait(_START_TIMEOUT):
            raise RuntimeError(f"the emulator did not start within {_START_TIMEOUT} s")
        if self._failure is not None:
            self._thread.join(_STOP_TIMEOUT)
            raise self._failure
        self.url = self._emulator.url

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(ready))
        finally:
            loop.close()

    async def _serve(self, ready: threading.Event) -> None:
        self._release = asyncio.Event()
        try:
            await self._emulator.start()
        except BaseException as failure:
            self._failure = failure
            ready.set()
            return
        ready.set()
        try:
            await self._release.wait()
        finally:
            await self._emulator.stop()

    def stop(self) -> None:
        """Stops the server and joins its thread; nothing is left running."""
        thread, loop, release = self._thread, self._loop, self._release
        if thread is None or loop is None or release is None or not thread.is_alive():
            return
        loop.call_soon_threadsafe(release.set)
        thread.join(_STOP_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError(f"the emulator thread did not stop within {_STOP_TIMEOUT} s")

    def __enter__(self) -> BackgroundEmulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            work.close()
            raise RuntimeError("the background emulator is not running")
        return asyncio.run_coroutine_threadsafe(work, loop).result(_CALL_TIMEOUT)

    @property
    def faults(self) -> Faults:
        return self._emulator.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        async def swap() -> None:
            self._emulator.faults = faults

        self._call(swap())

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every record as the API returns it, taken on the emulator's own thread."""

        async def take() -> dict[str, list[dict[str, Any]]]:
            return self._emulator.snapshot()

        return self._call(take())

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the recorded requests (``record_requests`` must be on)."""

        async def copy() -> list[RecordedRequest]:
            return list(self._emulator.requests)

        return self._call(copy())

    @property
    def delivered(self) -> list[Delivery]:
        async def copy() -> list[Delivery]:
            return list(self._emulator.delivered)

        return self._call(copy())

    @property
    def callbacks(self) -> list[SentCallback]:
        """A copy of :attr:`Emulator.callbacks`: every callback sent and what it was answered."""

        async def copy() -> list[SentCallback]:
            return list(self._emulator.callbacks)

        return self._call(copy())

    def simulate_message(self, from_: str, to: str, body: str) -> Interaction | None:
        """:meth:`Emulator.simulate_message`, waited for; the app it calls back must be
        served by another thread or process than the one calling this.

        Args:
            from_: the participant's own address (E.164 phone number, e.g. ``+15558675310``).
            to: the proxy number the participant writes to (E.164), one of the Service's numbers.
            body: the message text, delivered as is to the other participant.
        """
        return self._call(self._emulator.simulate_message(from_, to, body))

    def simulate_call(self, from_: str, to: str) -> Interaction | None:
        """:meth:`Emulator.simulate_call`, waited for; as ``simulate_message``.

        Args:
            from_: the participant's own address (E.164 phone number, e.g. ``+15558675310``).
            to: the proxy number the participant calls (E.164), one of the Service's numbers.
        """
        return self._call(self._emulator.simulate_call(from_, to))
