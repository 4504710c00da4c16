"""BackgroundEmulator from plain sync code: stdlib HTTP in, a stdlib webhook app out."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import pytest

from twilio_proxy_async import Client, RateLimitError
from twilio_proxy_async.testing import BackgroundEmulator, DemoData, Emulator, Faults
from twilio_proxy_async.webhooks import validate_signature

THREAD_NAME = "twilio-proxy-emulator"
SMALL = DemoData(services=2, sessions_per_service=3, interactions_per_session=0)


def get(emu: BackgroundEmulator, path: str) -> tuple[int, Any]:
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    request = urllib.request.Request(emu.url + path, headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def emulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def test_sync_code_talks_to_it_and_nothing_is_left_after_the_block() -> None:
    with BackgroundEmulator(demo=SMALL) as emu:
        assert emu.url.startswith("http://127.0.0.1:")
        status, page = get(emu, "/v1/Services")
        assert status == 200
        assert [s["sid"] for s in page["services"]] == [
            s["sid"] for s in emu.snapshot()["services"]
        ]
        assert len(emulator_threads()) == 1
        port = int(emu.url.rsplit(":", 1)[1])
    assert emulator_threads() == []
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    with pytest.raises(RuntimeError, match="not running"):
        emu.snapshot()


def test_the_async_client_works_from_another_loop() -> None:
    async def count_sessions(emu: BackgroundEmulator) -> int:
        async with Client(emu.account_sid, emu.auth_token, base_url=emu.url) as client:
            (service, *_) = [s async for s in client.proxy.services.list()]
            return len([s async for s in client.proxy.sessions.list(service.sid)])

    with BackgroundEmulator(demo=SMALL) as emu:
        assert asyncio.run(count_sessions(emu)) == 3


def test_faults_and_recorded_requests_through_the_thread() -> None:
    with BackgroundEmulator(record_requests=True) as emu:
        emu.faults = Faults(rate_429=1.0)
        assert emu.faults.rate_429 == 1.0
        status, body = get(emu, "/v1/Services")
        assert (status, body["code"]) == (429, 20429)

        async def throttled() -> None:
            async with Client(
                emu.account_sid, emu.auth_token, base_url=emu.url, max_retries=0
            ) as client:
                await client.proxy.services.fetch("KS" + "0" * 32)

        with pytest.raises(RateLimitError):
            asyncio.run(throttled())
        assert [r.path for r in emu.requests] == ["/v1/Services", "/v1/Services/KS" + "0" * 32]


def test_it_takes_exactly_the_emulators_options() -> None:
    ours = inspect.signature(BackgroundEmulator).parameters
    theirs = inspect.signature(Emulator).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]


def test_bad_options_raise_in_the_callers_thread() -> None:
    with pytest.raises(ValueError, match="loopback"):
        BackgroundEmulator(host="0.0.0.0")
    assert emulator_threads() == []


def test_a_failed_start_raises_and_leaves_no_thread() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        emu = BackgroundEmulator(port=taken.getsockname()[1])
        with pytest.raises(OSError):
            emu.start()
    assert emulator_threads() == []


def test_it_starts_once() -> None:
    emu = BackgroundEmulator()
    with emu, pytest.raises(RuntimeError, match="starts once"):
        emu.start()
    emu.stop()
    assert emulator_threads() == []


class _Hooks(BaseHTTPRequestHandler):
    """A stdlib webhook app: checks the signature, records the form, answers 200."""

    token: ClassVar[str] = ""
    received: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        url = f"http://{self.headers['Host']}{self.path}"
        form = dict(parse_qsl(body, keep_blank_values=True))
        signed = validate_signature(self.token, url, form, self.headers["X-Twilio-Signature"])
        self.received.append(form)
        self.send_response(200 if signed else 403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def hooks() -> Iterator[tuple[str, type[_Hooks]]]:
    handler = type("Hooks", (_Hooks,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    serving.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/proxy", handler
    finally:
        server.shutdown()
        server.server_close()
        serving.join(5)


def test_a_simulated_message_calls_a_sync_app_back(hooks: tuple[str, type[_Hooks]]) -> None:
    url, handler = hooks
    with BackgroundEmulator() as emu:
        handler.token = emu.auth_token

        async def prepare() -> str:
            async with Client(emu.account_sid, emu.auth_token, base_url=emu.url) as client:
                service = await client.proxy.services.create(
                    unique_name="sync", callback_url=url, intercept_callback_url=url
                )
                await client.proxy.phone_numbers.create(service.sid, phone_number="+14155550101")
                await client.proxy.phone_numbers.create(service.sid, phone_number="+14155550102")
                session = await client.proxy.sessions.create(
                    service.sid,
                    participants=[{"identifier": "+15550001001"}, {"identifier": "+15550001002"}],
                )
                first = [p async for p in client.proxy.participants.list(service.sid, session.sid)]
                return next(p.proxy_identifier for p in first if p.identifier == "+15550001001")

        proxy_number = asyncio.run(prepare())
        interaction = emu.simulate_message("+15550001001", proxy_number, "from sync code")
        assert interaction is not None and interaction.data_json() == {"body": "from sync code"}
        (delivery,) = emu.delivered
        assert delivery.to == "+15550001002"
        # What the app answered, as emu.callbacks tells an async test.
        sent = [(c.kind, c.url, c.status) for c in emu.callbacks]
        assert sent == [("intercept", url, 200), ("callback", url, 200), ("callback", url, 200)]
    assert len(handler.received) == 3, "one intercept and two status callbacks, all signed"
    assert all(form["interactionSid"] == interaction.sid for form in handler.received)
