"""TwilioSignatureMiddleware inside real Starlette apps: in-process and on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import aiohttp
import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from webhook_apps import serve_asgi
from yarl import URL

from twilio_proxy_async.webhooks import (
    IDEMPOTENCY_HEADER,
    InterceptCallback,
    TwilioSignatureMiddleware,
    block_interaction,
    compute_signature,
)

SECRET = "tok-SECRET-5f3a9c"
BASE = "http://testserver"
KI = "KI" + "d4" * 16
PAIRS = [("To", "+18005551212"), ("Digits", "2"), ("Digits", "1"), ("Body", "a b&c é")]
BODY = urlencode(PAIRS).encode()
FORM_TYPE = "application/x-www-form-urlencoded"


def signed_headers(
    url: str, pairs: list[tuple[str, str]] = PAIRS, token: str = SECRET
) -> dict[str, str]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return {"Content-Type": FORM_TYPE, "X-Twilio-Signature": compute_signature(token, url, grouped)}


class Hits:
    def __init__(self) -> None:
        self.count = 0
        self.release: asyncio.Event | None = None


def hooks_app(hits: Hits) -> Starlette:
    async def form_echo(request: Request) -> Response:
        hits.count += 1
        form = await request.form()
        return JSONResponse({"Body": form["Body"], "Digits": form.getlist("Digits")})

    async def json_echo(request: Request) -> Response:
        hits.count += 1
        return JSONResponse(await request.json())

    async def intercept(request: Request) -> Response:
        hits.count += 1
        if hits.release is not None:
            await hits.release.wait()
        callback = InterceptCallback.from_form(await request.form())
        status, headers, body = block_interaction()
        if callback.data_json() == {"body": "ok"}:
            return PlainTextResponse("allowed")
        return Response(body, status_code=status, headers=dict(headers))

    async def crash(request: Request) -> Response:
        hits.count += 1
        return PlainTextResponse("try again", status_code=503)

    return Starlette(
        routes=[
            Route("/form", form_echo, methods=["POST"]),
            Route("/json", json_echo, methods=["POST"]),
            Route("/intercept", intercept, methods=["POST"]),
            Route("/crash", crash, methods=["POST"]),
        ]
    )


@asynccontextmanager
async def client_for(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@asynccontextmanager
async def guarded(**options: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Hits]]:
    hits = Hits()
    app = Starlette(
        routes=hooks_app(hits).routes,
        middleware=[Middleware(TwilioSignatureMiddleware, SECRET, **options)],
    )
    async with client_for(app) as client:
        yield client, hits


async def test_valid_form_reaches_the_app_with_its_body_intact() -> None:
    async with guarded() as (client, hits):
        response = await client.post("/form", content=BODY, headers=signed_headers(BASE + "/form"))
        assert response.status_code == 200
        assert response.json() == {"Body": "a b&c é", "Digits": ["2", "1"]}
        assert hits.count == 1


async def test_mis_signed_and_unsigned_requests_are_forbidden(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    async with guarded() as (client, hits):
        wrong = signed_headers(BASE + "/form", token="wrong-token")
        tampered = signed_headers(BASE + "/form")
        for headers, body in [
            (wrong, BODY),
            ({"Content-Type": FORM_TYPE}, BODY),
            (tampered, BODY.replace(b"Digits=1", b"Digits=9")),
            (signed_headers(BASE + "/other"), BODY),
        ]:
            response = await client.post("/form", content=body, headers=headers)
            assert (response.status_code, response.text) == (
                403,
                "Twilio signature validation failed",
            )
        assert hits.count == 0
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["Rejected POST /form: missing or invalid X-Twilio-Signature"] * 4
    assert SECRET not in caplog.text


async def test_rejection_log_escapes_the_path(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    async with guarded() as (client, _):
        response = await client.post("/form%0AWARNING%20forged%1b[2J", content=BODY)
        assert response.status_code == 403
    [record] = caplog.records
    assert record.getMessage() == (
        "Rejected POST /form%0AWARNING%20forged%1b[2J: missing or invalid X-Twilio-Signature"
    )


async def test_json_callback_is_bound_through_body_sha256() -> None:
    payload = b'{"property": "value", "boolean": true}'
    path = f"/json?bodySHA256={hashlib.sha256(payload).hexdigest()}"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": compute_signature(SECRET, BASE + path),
    }
    async with guarded() as (client, hits):
        valid = await client.post(path, content=payload, headers=headers)
        assert (valid.status_code, valid.json()) == (200, {"property": "value", "boolean": True})
        tampered = await client.post(path, content=b'{"property": "evil"}', headers=headers)
        assert tampered.status_code == 403
        assert hits.count == 1


async def test_public_base_url_forwarded_headers_and_host() -> None:
    public = "https://hooks.example.com/form"
    headers = signed_headers(public)
    forwarded = {
        "X-Forwarded-Proto": "http, https",
        "X-Forwarded-Host": "evil.example, hooks.example.com",
    }
    async with guarded(public_base_url="https://hooks.example.com") as (client, _):
        assert (await client.post("/form", content=BODY, headers=headers)).status_code == 200
    async with guarded(trust_forwarded=True) as (client, _):
        response = await client.post("/form", content=BODY, headers={**headers, **forwarded})
        assert response.status_code == 200
        # The client's own (first) entry is never the one trusted.
        evil = signed_headers("https://evil.example/form")
        response = await client.post("/form", content=BODY, headers={**evil, **forwarded})
        assert response.status_code == 403
    async with guarded() as (client, _):
        response = await client.post("/form", content=BODY, headers={**headers, **forwarded})
        assert response.status_code == 403
        # Without public_base_url, the Host header the client sent is what gets trusted.
        response = await client.post(
            "/form", content=BODY, headers={**headers, "Host": "hooks.example.com"}
        )
        assert response.status_code == 403  # scheme http here, https signed
        host_signed = signed_headers("http://hooks.example.com/form")
        response = await client.post(
            "/form", content=BODY, headers={**host_signed, "Host": "hooks.example.com"}
        )
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (f"{FORM_TYPE}; charset=latin-1", BODY),
        (FORM_TYPE, "Body=é".encode()),
        (FORM_TYPE, BODY + b" "),
        ("multipart/form-data; boundary=x", BODY),
    ],
)
async def test_bodies_read_otherwise_than_signed_are_forbidden(
    content_type: str, body: bytes
) -> None:
    headers = {**signed_headers(BASE + "/form"), "Content-Type": content_type}
    async with guarded() as (client, hits):
        assert (await client.post("/form", content=body, headers=headers)).status_code == 403
        assert hits.count == 0


async def test_mounted_sub_app_is_signed_over_the_full_path() -> None:
    hits = Hits()
    app = Starlette(
        routes=[
            Mount("/twilio", app=TwilioSignatureMiddleware(hooks_app(hits), SECRET)),
            Route("/health", lambda request: PlainTextResponse("ok")),
        ]
    )
    async with client_for(app) as client:
        assert (await client.get("/health")).text == "ok"
        headers = signed_headers(BASE + "/twilio/form?x=%2B1")
        response = await client.post("/twilio/form?x=%2B1", content=BODY, headers=headers)
        assert response.status_code == 200
        stripped = signed_headers(BASE + "/form?x=%2B1")
        response = await client.post("/twilio/form?x=%2B1", content=BODY, headers=stripped)
        assert response.status_code == 403
    assert hits.count == 1


# --- the ASGI protocol, driven directly -----------------------------------------------------


class Recorded:
    def __init__(self, chunks: list[bytes], declared: int | None = None) -> None:
        self.incoming: list[dict[str, Any]] = [
            {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
            for i, chunk in enumerate(chunks)
        ]
        self.incoming.append({"type": "http.disconnect"})
        self.receives = 0
        self.sent: list[dict[str, Any]] = []
        self.headers = [(b"host", b"testserver"), (b"content-type", FORM_TYPE.encode())]
        if declared is not None:
            self.headers.append((b"content-length", str(declared).encode()))

    async def receive(self) -> dict[str, Any]:
        self.receives += 1
        return self.incoming.pop(0)

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def scope(self, path: str = "/form", signature: str = "") -> dict[str, Any]:
        headers = [*self.headers, (b"x-twilio-signature", signature.encode())]
        return {
            "type": "http",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": headers,
        }


async def test_chunked_body_is_replayed_whole_then_the_clients_events() -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(await receive())
        seen.append(await receive())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    chunks = [BODY[:5], BODY[5:20], BODY[20:]]
    wire = Recorded(chunks)
    signature = signed_headers(BASE + "/form")["X-Twilio-Signature"]
    await TwilioSignatureMiddleware(app, SECRET)(
        wire.scope(signature=signature), wire.receive, wire.send
    )
    assert seen == [
        {"type": "http.request", "body": BODY, "more_body": False},
        {"type": "http.disconnect"},
    ]
    assert wire.sent[0]["status"] == 204


@pytest.mark.parametrize(("chunks", "declared"), [([b"x" * 600] * 4, None), ([b"x"], 5000)])
async def test_oversized_body_gets_413_without_reading_past_the_limit(
    chunks: list[bytes], declared: int | None
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not be called")

    wire = Recorded(chunks, declared)
    middleware = TwilioSignatureMiddleware(app, SECRET, max_body_size=1000)
    await middleware(wire.scope(), wire.receive, wire.send)
    assert wire.sent[0]["status"] == 413
    assert wire.receives == (2 if declared is None else 0)


@pytest.mark.parametrize("declared", ["²", "9" * 5000, "-1", "1e9", " 12 "])
async def test_odd_content_lengths_neither_crash_nor_bypass_the_limit(declared: str) -> None:
    received: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        received.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    wire = Recorded([BODY])
    wire.headers.append((b"content-length", declared.encode("latin-1")))
    signature = signed_headers(BASE + "/form")["X-Twilio-Signature"]
    middleware = TwilioSignatureMiddleware(app, SECRET, max_body_size=1000)
    await middleware(wire.scope(signature=signature), wire.receive, wire.send)
    # A huge declared length is refused unread; anything else is judged by the bytes sent.
    expected = 413 if declared == "9" * 5000 else 204
    assert wire.sent[0]["status"] == expected
    assert received == ([] if expected == 413 else [BODY])


async def test_client_leaving_mid_body_ends_quietly() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not be called")

    wire = Recorded([b"Body="])
    wire.incoming[0]["more_body"] = True
    await TwilioSignatureMiddleware(app, SECRET)(wire.scope(), wire.receive, wire.send)
    assert wire.sent == []


async def test_websockets_are_refused_and_lifespan_passes_through() -> None:
    calls: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["type"])

    wire = Recorded([])
    middleware = TwilioSignatureMiddleware(app, SECRET)
    await middleware({"type": "websocket", "path": "/ws", "headers": []}, wire.receive, wire.send)
    assert wire.sent == [{"type": "websocket.close", "code": 1008}]
    await middleware({"type": "lifespan"}, wire.receive, wire.send)
    assert calls == ["lifespan"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"auth_token": ""}, "auth_token"),
        ({"public_base_url": "hooks.example.com"}, "absolute"),
        ({"max_body_size": 0}, "max_body_size"),
        ({"replay_cache_size": -1}, "replay_cache_size"),
    ],
)
def test_bad_configuration_is_refused_up_front(options: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"auth_token": SECRET, **options}
    with pytest.raises(ValueError, match=message):
        TwilioSignatureMiddleware(hooks_app(Hits()), **arguments)


def test_token_absent_from_repr() -> None:
    middleware = TwilioSignatureMiddleware(hooks_app(Hits()), SECRET)
    assert SECRET not in repr(middleware)
    assert SECRET not in str(vars(middleware).get("app"))


# --- replay protection ----------------------------------------------------------------------

INTERCEPT = [("interactionSid", KI), ("interactionData", '{"body":"spam"}')]
INTERCEPT_BODY = urlencode(INTERCEPT).encode()


async def test_a_replayed_request_gets_the_first_answer_without_reaching_the_app() -> None:
    async with guarded(replay_cache_size=8) as (client, hits):
        headers = {**signed_headers(BASE + "/intercept", INTERCEPT), IDEMPOTENCY_HEADER: "t-1"}
        first = await client.post("/intercept", content=INTERCEPT_BODY, headers=headers)
        assert first.status_code == 403
        # Twilio's retry, and a replay with a fresh token (the token is not signed).
        for token in ["t-1", "forged-fresh-token"]:
            again = await client.post(
                "/intercept", content=INTERCEPT_BODY, headers={**headers, IDEMPOTENCY_HEADER: token}
            )
            assert again.status_code == 403  # a blocked interaction stays blocked
        assert hits.count == 1


async def test_replay_protection_is_off_by_default() -> None:
    async with guarded() as (client, hits):
        headers = signed_headers(BASE + "/intercept", INTERCEPT)
        for _ in range(2):
            response = await client.post("/intercept", content=INTERCEPT_BODY, headers=headers)
            assert response.status_code == 403
        assert hits.count == 2


async def test_a_5xx_answer_is_not_remembered_so_twilios_retry_gets_through() -> None:
    async with guarded(replay_cache_size=8) as (client, hits):
        headers = signed_headers(BASE + "/crash")
        for _ in range(2):
            response = await client.post("/crash", content=BODY, headers=headers)
            assert response.status_code == 503
        assert hits.count == 2


async def test_a_duplicate_arriving_meanwhile_waits_for_the_first_answer() -> None:
    async with guarded(replay_cache_size=8) as (client, hits):
        hits.release = asyncio.Event()
        headers = signed_headers(BASE + "/intercept", INTERCEPT)
        first = asyncio.create_task(
            client.post("/intercept", content=INTERCEPT_BODY, headers=headers)
        )
        second = asyncio.create_task(
            client.post("/intercept", content=INTERCEPT_BODY, headers=headers)
        )
        for _ in range(200):
            if hits.count:
                break
            await asyncio.sleep(0.005)
        for _ in range(10):
            await asyncio.sleep(0)
        assert hits.count == 1
        hits.release.set()
        answers = await asyncio.gather(first, second)
        assert [answer.status_code for answer in answers] == [403, 403]
        assert hits.count == 1


async def test_the_replay_cache_is_bounded() -> None:
    async with guarded(replay_cache_size=2) as (client, hits):
        requests = []
        for index in range(3):
            pairs = [("interactionSid", KI), ("interactionData", f'{{"n":{index}}}')]
            requests.append((urlencode(pairs).encode(), signed_headers(BASE + "/intercept", pairs)))
        for body, headers in [*requests, requests[2], requests[0]]:
            assert (
                await client.post("/intercept", content=body, headers=headers)
            ).status_code == 403
        # The third was remembered; the first had been dropped, so it reached the app again.
        assert hits.count == 4


# --- a real server on loopback --------------------------------------------------------------


async def test_uvicorn_on_loopback_with_escapes_kept_as_sent() -> None:
    hits = Hits()
    app = TwilioSignatureMiddleware(hooks_app(hits), SECRET)
    async with serve_asgi(app) as base, aiohttp.ClientSession() as session:
        # Lowercase escapes and %7e: anything re-quoting the URL would break the match.
        url = base + "/form?x=%2B1&y=%7e&z=%e2%9c%93"
        headers = signed_headers(url)
        async with session.post(URL(url, encoded=True), data=BODY, headers=headers) as response:
            assert response.status == 200
            assert await response.json() == {"Body": "a b&c é", "Digits": ["2", "1"]}
        unsigned = {"Content-Type": FORM_TYPE}
        async with session.post(URL(url, encoded=True), data=BODY, headers=unsigned) as forged:
            assert forged.status == 403
    assert hits.count == 1


def test_the_middleware_imports_no_framework() -> None:
    # Run in a fresh interpreter: this test process has Starlette loaded already.
    code = (
        "import sys, twilio_proxy_async.webhooks as w; "
        "w.TwilioSignatureMiddleware(lambda s, r, x: None, 't'); "
        "print(sorted(m for m in ('starlette', 'fastapi', 'httpx', 'uvicorn') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
