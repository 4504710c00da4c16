"""Sessions and Participants: exact requests out, exact models back (aioresponses)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aioresponses import aioresponses
from proxy_support import (
    ACCOUNT,
    EXAMPLE_TIME,
    KC,
    KP,
    KS,
    NOT_FOUND,
    PN,
    SERVICE_URL,
    SESSION_URL,
    only_request,
    page_of,
    sent,
)

from twilio_proxy_async import (
    Client,
    NotFoundError,
    Participant,
    Session,
    SessionMode,
    SessionStatus,
)

from helpers import wire

SESSIONS_URL = f"{SERVICE_URL}/Sessions"
PARTICIPANTS_URL = f"{SESSION_URL}/Participants"
# (identifier, proxy_identifier, friendly_name) of participants reached on a messaging channel
ON_A_CHANNEL = ("messenger:123456", "messenger:987654532", "a facebook user")
FETCHED_ON_A_CHANNEL = ("messenger:14155551212", "messenger:14155559999", "a facebook user")


def session_model(status: SessionStatus | str = SessionStatus.OPEN) -> Session:
    return Session(
        sid=KC,
        service_sid=KS,
        account_sid=ACCOUNT,
        date_started=EXAMPLE_TIME,
        date_ended=EXAMPLE_TIME,
        date_last_interaction=EXAMPLE_TIME,
        date_expiry=EXAMPLE_TIME,
        unique_name="Order #1234",
        status=status,
        closed_reason="",
        ttl=3600,
        mode=SessionMode.VOICE_AND_MESSAGE,
        date_created=EXAMPLE_TIME,
        date_updated=EXAMPLE_TIME,
        url=SESSION_URL,
        links={
            "interactions": f"{SESSION_URL}/Interactions",
            "participants": f"{SESSION_URL}/Participants",
        },
    )


def participant_model(
    identifier: str = "+14155551212",
    proxy_identifier: str = "+14155559999",
    friendly_name: str = "friendly_name",
) -> Participant:
    return Participant(
        sid=KP,
        session_sid=KC,
        service_sid=KS,
        account_sid=ACCOUNT,
        friendly_name=friendly_name,
        identifier=identifier,
        proxy_identifier=proxy_identifier,
        proxy_identifier_sid=PN,
        date_deleted=EXAMPLE_TIME,
        date_created=EXAMPLE_TIME,
        date_updated=EXAMPLE_TIME,
        url=f"{PARTICIPANTS_URL}/{KP}",
        links={"message_interactions": f"{PARTICIPANTS_URL}/{KP}/MessageInteractions"},
    )


# --- Sessions -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [201, 200])
async def test_create_session_sends_every_field_and_json_participants(
    client: Client, mocked: aioresponses, status: int
) -> None:
    mocked.post(SESSIONS_URL, status=status, payload=wire(session_model()))
    plus_two = timezone(timedelta(hours=2))

    session = await client.proxy.sessions.create(
        KS,
        unique_name="Order #1234",
        date_expiry=datetime(2030, 1, 2, 3, 4, 5, tzinfo=plus_two),
        ttl=3600,
        mode=SessionMode.MESSAGE_ONLY,
        status="open",
        participants=[
            {"identifier": "+15551230001", "friendly_name": "Alice", "proxy_identifier_sid": PN},
            {"Identifier": "+15551230002", "FriendlyName": "Bob", "ProxyIdentifier": "+15559"},
        ],
    )

    assert session == session_model()
    request = only_request(mocked)
    assert (request.method, request.url) == ("POST", SESSIONS_URL)
    assert request.form == [
        ("UniqueName", "Order #1234"),
        ("DateExpiry", "2030-01-02T01:04:05Z"),
        ("Ttl", "3600"),
        ("Mode", "message-only"),
        ("Status", "open"),
        (
            "Participants",
            f'{{"Identifier":"+15551230001","FriendlyName":"Alice","ProxyIdentifierSid":"{PN}"}}',
        ),
        (
            "Participants",
            '{"Identifier":"+15551230002","FriendlyName":"Bob","ProxyIdentifier":"+15559"}',
        ),
    ]


async def test_create_session_with_no_fields_posts_an_empty_form(
    client: Client, mocked: aioresponses
) -> None:
    mocked.post(SESSIONS_URL, status=201, payload=wire(session_model()))

    assert await client.proxy.sessions.create(KS) == session_model()

    assert only_request(mocked).form == []


async def test_participant_values_are_json_escaped(client: Client, mocked: aioresponses) -> None:
    mocked.post(SESSIONS_URL, status=201, payload=wire(session_model()))

    await client.proxy.sessions.create(
        KS, participants=[{"identifier": "+1555", "friendly_name": 'Zoë "Z" & co'}]
    )

    ((key, value),) = only_request(mocked).form or []
    assert key == "Participants"
    assert json.loads(value) == {"Identifier": "+1555", "FriendlyName": 'Zoë "Z" & co'}


@pytest.mark.parametrize("identifier", [KC, "Order #1234"])
async def test_fetch_session_by_sid_or_unique_name(
    client: Client, mocked: aioresponses, identifier: str
) -> None:
    url = f"{SESSIONS_URL}/{identifier.replace('#', '%23').replace(' ', '%20')}"
    mocked.get(url, payload=wire(session_model()))

    assert await client.proxy.sessions.fetch(KS, identifier) == session_model()

    request = only_request(mocked)
    assert (request.method, request.url) == ("GET", url)


async def test_fetch_session_keeps_an_unknown_status_raw(
    client: Client, mocked: aioresponses
) -> None:
    mocked.get(f"{SESSIONS_URL}/{KC}", payload={**wire(session_model()), "status": "archived"})

    assert await client.proxy.sessions.fetch(KS, KC) == session_model(status="archived")


@pytest.mark.parametrize("status", [SessionStatus.IN_PROGRESS, "in-progress"])
async def test_update_session(
    client: Client, mocked: aioresponses, status: SessionStatus | str
) -> None:
    mocked.post(SESSION_URL, payload=wire(session_model(status=SessionStatus.IN_PROGRESS)))

    session = await client.proxy.sessions.update(
        KS, KC, date_expiry=datetime(2030, 1, 2, tzinfo=UTC), ttl=60, status=status
    )

    assert session == session_model(status=SessionStatus.IN_PROGRESS)
    request = only_request(mocked)
    assert (request.method, request.url) == ("POST", SESSION_URL)
    assert request.form == [
        ("DateExpiry", "2030-01-02T00:00:00Z"),
        ("Ttl", "60"),
        ("Status", "in-progress"),
    ]


@pytest.mark.parametrize("status", [204, 200])
async def test_delete_session(client: Client, mocked: aioresponses, status: int) -> None:
    mocked.delete(SESSION_URL, status=status)

    assert await client.proxy.sessions.delete(KS, KC) is None

    request = only_request(mocked)
    assert (request.method, request.url) == ("DELETE", SESSION_URL)


async def test_list_sessions_follows_pages(client: Client, mocked: aioresponses) -> None:
    second = f"{SESSIONS_URL}?PageSize=1&Page=1&PageToken=PT1"
    first_page = page_of("sessions", [wire(session_model())], f"{SESSIONS_URL}?PageSize=1")
    first_page["meta"]["next_page_url"] = second
    mocked.get(f"{SESSIONS_URL}?PageSize=1", payload=first_page)
    mocked.get(
        second,
        payload=page_of(
            "sessions", [wire(session_model(status=SessionStatus.IN_PROGRESS))], second
        ),
    )

    async with client.proxy.sessions.list(KS, page_size=1) as sessions:
        found = [session async for session in sessions]

    assert found == [session_model(), session_model(status=SessionStatus.IN_PROGRESS)]
    assert [(r.method, r.url) for r in sent(mocked)] == [
        ("GET", f"{SESSIONS_URL}?PageSize=1"),
        ("GET", f"{SESSIONS_URL}?Page=1&PageSize=1&PageToken=PT1"),
    ]


async def test_list_sessions_reads_an_empty_page(client: Client, mocked: aioresponses) -> None:
    mocked.get(SESSIONS_URL, payload=page_of("sessions", [], SESSIONS_URL))

    assert [s async for s in client.proxy.sessions.list(KS)] == []
    assert only_request(mocked).url == SESSIONS_URL


async def test_not_found_through_fetch_and_list(client: Client, mocked: aioresponses) -> None:
    mocked.get(f"{SESSIONS_URL}/{KC}", status=404, payload=NOT_FOUND)
    mocked.get(SESSIONS_URL, status=404, payload=NOT_FOUND)

    with pytest.raises(NotFoundError) as fetched:
        await client.proxy.sessions.fetch(KS, KC)
    with pytest.raises(NotFoundError) as listed:
        [s async for s in client.proxy.sessions.list(KS)]

    for raised in (fetched.value, listed.value):
        assert (raised.status, raised.code) == (404, 20404)
        assert raised.more_info == NOT_FOUND["more_info"]


# --- Participants ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [201, 200])
async def test_create_participant(client: Client, mocked: aioresponses, status: int) -> None:
    mocked.post(PARTICIPANTS_URL, status=status, payload=wire(participant_model()))

    participant = await client.proxy.participants.create(
        KS,
        KC,
        identifier="+14155551212",
        friendly_name="friendly_name",
        proxy_identifier="+14155559999",
        proxy_identifier_sid=PN,
    )

    assert participant == participant_model()
    request = only_request(mocked)
    assert (request.method, request.url) == ("POST", PARTICIPANTS_URL)
    assert request.form == [
        ("Identifier", "+14155551212"),
        ("FriendlyName", "friendly_name"),
        ("ProxyIdentifier", "+14155559999"),
        ("ProxyIdentifierSid", PN),
    ]


async def test_create_participant_on_a_channel(client: Client, mocked: aioresponses) -> None:
    mocked.post(PARTICIPANTS_URL, status=201, payload=wire(participant_model(*ON_A_CHANNEL)))

    participant = await client.proxy.participants.create(KS, KC, identifier="messenger:123456")

    assert participant == participant_model(*ON_A_CHANNEL)
    assert only_request(mocked).form == [("Identifier", "messenger:123456")]


async def test_fetch_participant(client: Client, mocked: aioresponses) -> None:
    url = f"{PARTICIPANTS_URL}/{KP}"
    mocked.get(url, payload=wire(participant_model(*FETCHED_ON_A_CHANNEL)))

    participant = await client.proxy.participants.fetch(KS, KC, KP)

    assert participant == participant_model(*FETCHED_ON_A_CHANNEL)
    request = only_request(mocked)
    assert (request.method, request.url) == ("GET", url)


@pytest.mark.parametrize("status", [200, 204])
async def test_delete_participant(client: Client, mocked: aioresponses, status: int) -> None:
    # The spec's answer is 200 with no body; older fixtures answer 204.
    url = f"{PARTICIPANTS_URL}/{KP}"
    mocked.delete(url, status=status, body=b"")

    assert await client.proxy.participants.delete(KS, KC, KP) is None

    request = only_request(mocked)
    assert (request.method, request.url) == ("DELETE", url)


async def test_list_participants(client: Client, mocked: aioresponses) -> None:
    url = f"{PARTICIPANTS_URL}?PageSize=2"
    records = [wire(participant_model()), wire(participant_model(*ON_A_CHANNEL))]
    mocked.get(url, payload=page_of("participants", records, url))

    found = [p async for p in client.proxy.participants.list(KS, KC, limit=2)]

    assert found == [
        participant_model(),
        participant_model(*ON_A_CHANNEL),
    ]
    assert only_request(mocked).url == url


async def test_list_participants_reads_an_empty_page(client: Client, mocked: aioresponses) -> None:
    mocked.get(PARTICIPANTS_URL, payload=page_of("participants", [], PARTICIPANTS_URL))

    assert [p async for p in client.proxy.participants.list(KS, KC)] == []


async def test_participant_not_found(client: Client, mocked: aioresponses) -> None:
    mocked.get(f"{PARTICIPANTS_URL}/{KP}", status=404, payload=NOT_FOUND)
    mocked.get(PARTICIPANTS_URL, status=404, payload=NOT_FOUND)

    with pytest.raises(NotFoundError):
        await client.proxy.participants.fetch(KS, KC, KP)
    with pytest.raises(NotFoundError):
        [p async for p in client.proxy.participants.list(KS, KC)]
