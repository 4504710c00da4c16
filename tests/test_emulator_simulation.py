"""Twilio's Proxy flow in the emulator: a real app on loopback, guarded by the SDK's own
signature middleware, receives the out-of-session, intercept and status callbacks."""

from __future__ import annotations

import base64
import json
import signal
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import attrs
import pytest
from aiohttp import web
from cli_support import finish, read_assignments, start_cli
from emulator_support import client_for

from twilio_proxy_async import Client, Interaction, InteractionType, SessionStatus
from twilio_proxy_async.testing import Delivery, Emulator, SimulationError
from twilio_proxy_async.webhooks import twilio_signature_middleware

CUSTOMER, COURIER, AGENT = "+15550001001", "+15550001002", "+15550001003"
POOL = ("+14155550101", "+14155550102")

Answer = Callable[[dict[str, str]], web.Response]


def ok(form: dict[str, str]) -> web.Response:
    return web.Response(status=200)


@attrs.define
class App:
    """The user's webhook app: each hook answers through ``answers[kind]``."""

    url: str = ""
    received: list[tuple[str, dict[str, str], dict[str, str]]] = attrs.field(factory=list)
    answers: dict[str, Answer] = attrs.field(
        factory=lambda: {"callback": ok, "intercept": ok, "out_of_session": ok}
    )

    def of(self, kind: str) -> list[dict[str, str]]:
        return [form for name, form, _ in self.received if name == kind]


@pytest.fixture
async def app(emu: Emulator) -> AsyncIterator[App]:
    state = App()

    def hook(kind: str) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.StreamResponse:
            form = {key: value for key, value in (await request.post()).items()}
            assert all(isinstance(v, str) for v in form.values())
            state.received.append((kind, form, dict(request.headers)))  # type: ignore[arg-type]
            return state.answers[kind](form)  # type: ignore[arg-type]

        return handle

    hooks = web.Application(middlewares=[twilio_signature_middleware(emu.auth_token)])
    for kind in state.answers:
        hooks.router.add_post(f"/{kind}", hook(kind))
    root = web.Application()
    root.add_subapp("/hooks/", hooks)
    runner = web.AppRunner(root, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        state.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[Client]:
    async with client_for(emu) as opened:
        yield opened


async def proxy_service(client: Client, app: App, **urls: str) -> str:
    service = await client.proxy.services.create(
        unique_name="deliveries",
        callback_url=f"{app.url}/callback",
        **{name: f"{app.url}/{path}" for name, path in urls.items()},
    )
    for number in POOL:
        await client.proxy.phone_numbers.create(service.sid, phone_number=number)
    return service.sid


async def masked_session(client: Client, service_sid: str) -> tuple[str, dict[str, str]]:
    """A session between the customer and the courier; each one's proxy number."""
    session = await client.proxy.sessions.create(
        service_sid, participants=[{"identifier": CUSTOMER}, {"identifier": COURIER}]
    )
    numbers = {
        p.identifier: p.proxy_identifier
        async for p in client.proxy.participants.list(service_sid, session.sid)
    }
    return session.sid, numbers


async def test_a_message_in_session_is_intercepted_delivered_and_reported(
    emu: Emulator, app: App, client: Client
) -> None:
    service_sid = await proxy_service(client, app, intercept_callback_url="intercept")
    session_sid, numbers = await masked_session(client, service_sid)
    interaction = await emu.simulate_message(CUSTOMER, numbers[CUSTOMER], "Where are you?")

    assert isinstance(interaction, Interaction)
    assert interaction.type is InteractionType.MESSAGE
    assert interaction.data_json() == {"body": "Where are you?"}
    participants = {
        p.identifier: p.sid async for p in client.proxy.participants.list(service_sid, session_sid)
    }
    assert interaction.inbound_participant_sid == participants[CUSTOMER]
    assert interaction.outbound_participant_sid == participants[COURIER]
    assert (interaction.inbound_resource_type, interaction.outbound_resource_type) == (
        "Message",
        "Message",
    )
    assert interaction.outbound_resource_status == "delivered"
    assert await client.proxy.interactions.fetch(service_sid, session_sid, interaction.sid) == (
        interaction
    )
    assert emu.delivered == [
        Delivery(
            kind="message",
            from_=numbers[COURIER],
            to=COURIER,
            body="Where are you?",
            session_sid=session_sid,
            interaction_sid=interaction.sid,
            participant_sid=participants[COURIER],
        )
    ]
    session = await client.proxy.sessions.fetch(service_sid, session_sid)
    assert session.status is SessionStatus.IN_PROGRESS
    assert session.date_last_interaction is not None

    (intercepted,) = app.of("intercept")
    assert intercepted["interactionSid"] == interaction.sid
    assert intercepted["inboundParticipantSid"] == participants[CUSTOMER]
    assert intercepted["interactionData"] == '{"body":"Where are you?"}'
    assert intercepted["interactionType"] == "Message"
    assert not any(name.startswith("outbound") for name in intercepted)
    callbacks = app.of("callback")
    statuses = [(f["inboundResourceStatus"], f["outboundResourceStatus"]) for f in callbacks]
    assert statuses == [("received", "sent"), ("received", "delivered")]
    final = app.of("callback")[-1]
    assert final["outboundParticipantSid"] == participants[COURIER]
    assert final["outboundResourceSid"] == interaction.outbound_resource_sid
    assert final["interactionAccountSid"] == emu.account_sid
    for _, _, headers in app.received:
        assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
        assert headers["X-Twilio-Signature"]
        assert len(headers["I-Twilio-Idempotency-Token"]) == 32
    assert [(c.kind, c.status) for c in emu.callbacks] == [
        ("intercept", 200),
        ("callback", 200),
        ("callback", 200),
    ]


async def test_a_call_in_session_reaches_the_other_participant(
    emu: Emulator, app: App, client: Client
) -> None:
    service_sid = await proxy_service(client, app)
    _, numbers = await masked_session(client, service_sid)
    interaction = await emu.simulate_call(COURIER, numbers[COURIER])
    assert interaction is not None and interaction.type is InteractionType.VOICE
    assert (interaction.inbound_resource_type, interaction.inbound_resource_status) == (
        "Call",
        "completed",
    )
    assert interaction.inbound_resource_sid is not None
    assert interaction.inbound_resource_sid.startswith("CA")
    (delivery,) = emu.delivered
    assert (delivery.kind, delivery.to, delivery.from_, delivery.body) == (
        "call",
        CUSTOMER,
        numbers[CUSTOMER],
        None,
    )
    statuses = [f["outboundResourceStatus"] for f in app.of("callback")]
    assert statuses == ["initiated", "completed"]
    assert app.of("callback")[0]["outboundResourceType"] == "call"


async def test_an_intercept_403_blocks_delivery(emu: Emulator, app: App, client: Client) -> None:
    service_sid = await proxy_service(client, app, intercept_callback_url="intercept")
    session_sid, numbers = await masked_session(client, service_sid)
    app.answers["intercept"] = lambda form: web.Response(status=403)
    assert await emu.simulate_message(CUSTOMER, numbers[CUSTOMER], "blocked words") is None
    assert emu.delivered == []
    assert app.of("callback") == []
    session = await client.proxy.sessions.fetch(service_sid, session_sid)
    assert session.status is SessionStatus.OPEN and session.date_last_interaction is None
    (kept,) = [i async for i in client.proxy.interactions.list(service_sid, session_sid)]
    assert (kept.outbound_participant_sid, kept.outbound_resource_sid) == (None, None)


@pytest.mark.parametrize("status", [200, 500])
async def test_any_other_intercept_answer_lets_it_through(
    emu: Emulator, app: App, client: Client, status: int
) -> None:
    service_sid = await proxy_service(client, app, intercept_callback_url="intercept")
    _, numbers = await masked_session(client, service_sid)
    app.answers["intercept"] = lambda form: web.Response(status=status)
    assert await emu.simulate_message(CUSTOMER, numbers[CUSTOMER], "fine") is not None
    assert len(emu.delivered) == 1


async def test_out_of_session_auto_create_opens_a_session_and_delivers(
    emu: Emulator, app: App, client: Client
) -> None:
    service_sid = await proxy_service(client, app, out_of_session_callback_url="out_of_session")
    app.answers["out_of_session"] = lambda form: web.json_response(
        {"uniqueName": "auto-1", "ttl": 600, "mode": "message-only", "participantIdentifier": AGENT}
    )
    interaction = await emu.simulate_message(CUSTOMER, POOL[1], "Hello?")
    assert interaction is not None

    (asked,) = app.of("out_of_session")
    assert (asked["From"], asked["To"], asked["Body"]) == (CUSTOMER, POOL[1], "Hello?")
    assert asked["AccountSid"] == emu.account_sid and asked["MessageSid"].startswith("SM")
    assert "sessionSid" not in asked, "no earlier session to describe"
    session = await client.proxy.sessions.fetch(service_sid, "auto-1")
    assert (session.ttl, session.mode) == (600, "message-only")
    assert session.sid == interaction.session_sid
    members = {
        p.identifier: p.proxy_identifier
        async for p in client.proxy.participants.list(service_sid, session.sid)
    }
    assert members[CUSTOMER] == POOL[1]
    (delivery,) = emu.delivered
    assert (delivery.to, delivery.from_, delivery.body) == (AGENT, members[AGENT], "Hello?")

    # The next message finds the session: no second out-of-session callback.
    assert await emu.simulate_message(CUSTOMER, POOL[1], "Still there?") is not None
    assert len(app.of("out_of_session")) == 1


async def test_out_of_session_describes_the_closed_session_it_replaces(
    emu: Emulator, app: App, client: Client
) -> None:
    service_sid = await proxy_service(client, app, out_of_session_callback_url="out_of_session")
    session_sid, numbers = await masked_session(client, service_sid)
    await client.proxy.sessions.update(service_sid, session_sid, status="closed")
    assert await emu.simulate_message(CUSTOMER, numbers[CUSTOMER], "again") is None
    (asked,) = app.of("out_of_session")
    assert (asked["sessionSid"], asked["sessionStatus"]) == (session_sid, "closed")
    assert asked["inboundParticipantIdentifier"] == CUSTOMER
    assert asked["outboundParticipantIdentifier"] == COURIER


@pytest.mark.parametrize(
    "answer",
    [
        lambda form: web.Response(
            text="<Response><Say>Closed</Say></Response>", content_type="application/xml"
        ),
        lambda form: web.Response(status=500),
        lambda form: web.json_response({"uniqueName": "no participant"}),
        lambda form: web.Response(text="{not json", content_type="application/json"),
    ],
    ids=["twiml", "error", "no-participant", "bad-json"],
)
async def test_any_other_out_of_session_answer_ends_the_flow(
    emu: Emulator, app: App, client: Client, answer: Answer
) -> None:
    service_sid = await proxy_service(client, app, out_of_session_callback_url="out_of_session")
    app.answers["out_of_session"] = answer
    assert await emu.simulate_call(CUSTOMER, POOL[0]) is None
    (asked,) = app.of("out_of_session")
    assert (asked["CallStatus"], asked["Direction"], asked["Caller"]) == (
        "ringing",
        "inbound",
        CUSTOMER,
    )
    assert [s async for s in client.proxy.sessions.list(service_sid)] == []
    assert emu.delivered == [] and app.of("callback") == []


async def test_no_session_and_no_out_of_session_url_is_none(
    emu: Emulator, app: App, client: Client
) -> None:
    service_sid = await proxy_service(client, app)
    _, numbers = await masked_session(client, service_sid)
    assert await emu.simulate_message(AGENT, numbers[CUSTOMER], "who?") is None
    assert await emu.simulate_message(CUSTOMER, "+19995550000", "not ours") is None
    assert app.received == [] and emu.delivered == []


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/proxy",
        "http://10.0.0.1/cb",
        "http://127.0.0.1.example.com/cb",
        "ftp://127.0.0.1/cb",
        "not a url",
    ],
)
async def test_callbacks_off_loopback_are_refused_before_anything_is_sent(
    emu: Emulator, app: App, client: Client, url: str
) -> None:
    service_sid = await proxy_service(client, app, intercept_callback_url="intercept")
    _, numbers = await masked_session(client, service_sid)
    await client.proxy.services.update(service_sid, callback_url=url)
    with pytest.raises(SimulationError, match=r"callback_url .* is not on loopback"):
        await emu.simulate_message(CUSTOMER, numbers[CUSTOMER], "hi")
    assert app.received == [] and emu.delivered == []


async def test_an_unreachable_app_does_not_stop_delivery(emu: Emulator, client: Client) -> None:
    unused = App(url="http://127.0.0.1:9/hooks")
    service_sid = await proxy_service(client, unused, intercept_callback_url="intercept")
    _, numbers = await masked_session(client, service_sid)
    assert await emu.simulate_message(CUSTOMER, numbers[CUSTOMER], "anyone?") is not None
    assert [c.status for c in emu.callbacks] == [None, None, None]


def basic(emu: Emulator) -> dict[str, str]:
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def test_the_simulation_over_http(emu: Emulator, app: App, client: Client) -> None:
    service_sid = await proxy_service(client, app)
    session_sid, numbers = await masked_session(client, service_sid)
    base = f"{emu.url}/_emulator"
    form = {"From": CUSTOMER, "To": numbers[CUSTOMER], "Body": "over http"}
    async with aiohttp.ClientSession(headers=basic(emu)) as http:
        async with http.post(f"{base}/simulate/message", data=form) as response:
            assert response.status == 200
            answer = json.loads(await response.read())
        assert answer["outcome"] == "delivered"
        assert answer["interaction"]["session_sid"] == session_sid
        assert answer["delivery"]["to"] == COURIER and answer["delivery"]["body"] == "over http"
        call = {"From": COURIER, "To": numbers[COURIER]}
        async with http.post(f"{base}/simulate/call", data=call) as response:
            assert (await response.json())["interaction"]["type"] == "voice"
        async with http.get(f"{base}/delivered") as response:
            listed = (await response.json())["delivered"]
        assert [(d["kind"], d["to"]) for d in listed] == [("message", COURIER), ("call", CUSTOMER)]
        async with http.post(f"{base}/simulate/message", data={"From": CUSTOMER}) as response:
            assert (response.status, (await response.json())["code"]) == (400, 20001)
        async with http.post(f"{base}/simulate/fax", data=call) as response:
            assert response.status == 404
        async with http.get(f"{base}/simulate/call") as response:
            assert response.status == 405
    async with (
        aiohttp.ClientSession() as anonymous,
        anonymous.post(f"{base}/simulate/message", data=form) as response,
    ):
        assert response.status == 401
    assert len(emu.delivered) == 2


async def test_a_refused_callback_over_http_is_a_clear_400(emu: Emulator, client: Client) -> None:
    service = await client.proxy.services.create(
        unique_name="remote", callback_url="https://example.com/cb"
    )
    await client.proxy.phone_numbers.create(service.sid, phone_number=POOL[0])
    form = {"From": CUSTOMER, "To": POOL[0], "Body": "x"}
    async with (
        aiohttp.ClientSession(headers=basic(emu)) as http,
        http.post(f"{emu.url}/_emulator/simulate/message", data=form) as response,
    ):
        body = await response.json()
    assert response.status == 400
    assert "not on loopback" in body["message"]


async def test_the_command_line_emulator_simulates_over_http() -> None:
    process = await start_cli("emulator", "--port", "0")
    try:
        env = await read_assignments(process)
        url, account, token = (
            env["TWILIO_BASE_URL"],
            env["TWILIO_ACCOUNT_SID"],
            env["TWILIO_AUTH_TOKEN"],
        )
        async with Client(account, token, base_url=url) as client:
            service = await client.proxy.services.create(unique_name="cli")
            for number in POOL:
                await client.proxy.phone_numbers.create(service.sid, phone_number=number)
            _, numbers = await masked_session(client, service.sid)
        form = {"From": COURIER, "To": numbers[COURIER], "Body": "from any language"}
        headers = {"Authorization": aiohttp.encode_basic_auth(account, token)}
        async with (
            aiohttp.ClientSession(headers=headers) as http,
            http.post(f"{url}/_emulator/simulate/message", data=form) as response,
        ):
            answer = await response.json()
        assert answer["outcome"] == "delivered"
        assert answer["delivery"] == {
            **answer["delivery"],
            "kind": "message",
            "to": CUSTOMER,
            "from": numbers[CUSTOMER],
            "body": "from any language",
        }
    finally:
        if process.returncode is None:
            returncode, _, _ = await finish(process, signal.SIGINT)
            assert returncode == 0
