"""The README's "Testing your webhooks locally" apps, run as written: fed signed callbacks
directly, and driven end to end by the emulator's simulation of Proxy's flow."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from webhook_apps import serve_asgi

from twilio_proxy_async import Client
from twilio_proxy_async.testing import Emulator
from twilio_proxy_async.webhooks import compute_signature

README = Path(__file__).resolve().parents[1] / "README.md"
TOKEN = "readme-token-0000"
AC = "AC" + "a1" * 16
KI = "KI" + "d4" * 16
CUSTOMER = "+15558675310"


def section_blocks() -> list[str]:
    section = README.read_text().split("## Testing your webhooks locally", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def load(source: str, printed: list[str] | None = None) -> dict[str, Any]:
    """Execute a README block as written, except that ``asyncio.run(main())`` is left for the
    test to await in its own loop, and ``print`` is captured."""
    runnable = source.replace("asyncio.run(main())", "")
    namespace: dict[str, Any] = {"__name__": "readme_webhooks"}
    if printed is not None:
        namespace["print"] = lambda *args: printed.append(" ".join(str(a) for a in args))
    exec(compile(runnable, "README.md", "exec"), namespace)
    return namespace


# The three callbacks, as the emulator (and Twilio) send them.
INTERCEPT = {
    "interactionSid": KI,
    "interactionAccountSid": AC,
    "interactionType": "message",
    "interactionData": json.dumps({"body": "my PASSWORD is x"}),
}
ALLOWED = {**INTERCEPT, "interactionData": json.dumps({"body": "where is my order?"})}
STATUS = {**ALLOWED, "outboundResourceStatus": "delivered"}
OUT_OF_SESSION = {"AccountSid": AC, "From": CUSTOMER, "To": "+15005550006", "Body": "hi"}

Post = Callable[[str, dict[str, str], bool], Coroutine[Any, Any, tuple[int, bytes]]]


async def check_answers(post: Post) -> None:
    assert await post("/twilio/intercept", INTERCEPT, True) == (403, b"")
    assert (await post("/twilio/intercept", ALLOWED, True))[0] == 200
    assert (await post("/twilio/status", STATUS, True))[0] == 200
    status, body = await post("/twilio/out-of-session", OUT_OF_SESSION, True)
    assert status == 200
    assert json.loads(body) == {
        "participantIdentifier": "+15558675311",
        "uniqueName": f"support-{CUSTOMER}",
        "ttl": 3600,
    }
    # Unsigned: the middleware answers before the handler runs.
    assert (await post("/twilio/intercept", ALLOWED, False))[0] == 403


def headers_for(url: str, form: dict[str, str], signed: bool) -> dict[str, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers["X-Twilio-Signature"] = compute_signature(TOKEN, url, form)
    return headers


async def test_aiohttp_app_answers_the_three_callbacks() -> None:
    namespace = load(section_blocks()[0])
    events: list[str] = []
    app: web.Application = namespace["webhook_app"](TOKEN, events)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:

        async def post(path: str, form: dict[str, str], signed: bool) -> tuple[int, bytes]:
            url = f"http://127.0.0.1:{client.port}{path}"
            headers = headers_for(url, form, signed)
            async with client.post(path, data=urlencode(form), headers=headers) as response:
                return response.status, await response.read()

        await check_answers(post)
    assert events == ["message delivered"]


async def test_starlette_app_answers_the_three_callbacks() -> None:
    namespace = load(section_blocks()[1])
    app = namespace["webhook_app"](TOKEN)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hooks.test") as client:

        async def post(path: str, form: dict[str, str], signed: bool) -> tuple[int, bytes]:
            headers = headers_for(f"http://hooks.test{path}", form, signed)
            response = await client.post(path, content=urlencode(form), headers=headers)
            return response.status_code, response.content

        await check_answers(post)


async def test_aiohttp_walkthrough_runs_against_the_emulator() -> None:
    printed: list[str] = []
    namespace = load(section_blocks()[0], printed)
    await namespace["main"]()
    assert printed[0] == "delivered: True"
    assert printed[1] == f"session: support-{CUSTOMER} in-progress"
    assert printed[2] == "blocked: True"
    assert printed[3].startswith("status events: [") and "message" in printed[3]


async def test_starlette_app_on_loopback_driven_by_the_emulator() -> None:
    namespace = load(section_blocks()[1])
    async with Emulator() as emu:
        app = namespace["webhook_app"](emu.auth_token)
        async with (
            serve_asgi(app) as base,
            Client(emu.account_sid, emu.auth_token, base_url=emu.url) as client,
        ):
            service = await client.proxy.services.create(
                unique_name="support",
                callback_url=f"{base}/twilio/status",
                intercept_callback_url=f"{base}/twilio/intercept",
                out_of_session_callback_url=f"{base}/twilio/out-of-session",
            )
            await client.proxy.phone_numbers.create(service.sid, phone_number="+15005550006")
            simulate = emu.simulate_message
            assert await simulate(CUSTOMER, "+15005550006", "Where is my order?") is not None
            session = await client.proxy.sessions.fetch(service.sid, f"support-{CUSTOMER}")
            assert session.unique_name == f"support-{CUSTOMER}"
            assert await simulate(CUSTOMER, "+15005550006", "password: x") is None
            # A caller with no signature of the emulator's never gets through.
            async with aiohttp.ClientSession() as session_http:
                response = await session_http.post(f"{base}/twilio/intercept", data=ALLOWED)
                assert response.status == 403
                response.release()


async def test_callbacks_signed_with_another_token_never_reach_the_handlers() -> None:
    namespace = load(section_blocks()[1])
    async with Emulator() as emu:
        app = namespace["webhook_app"]("not-the-emulator-token")
        async with (
            serve_asgi(app) as base,
            Client(emu.account_sid, emu.auth_token, base_url=emu.url) as client,
        ):
            service = await client.proxy.services.create(
                unique_name="support",
                intercept_callback_url=f"{base}/twilio/intercept",
                out_of_session_callback_url=f"{base}/twilio/out-of-session",
            )
            await client.proxy.phone_numbers.create(service.sid, phone_number="+15005550006")
            assert await emu.simulate_message(CUSTOMER, "+15005550006", "hi") is None
            # The middleware refused the out-of-session callback: no session was created.
            assert [(c.kind, c.status) for c in emu.callbacks] == [("out_of_session", 403)]
            assert emu.snapshot()["sessions"] == []
