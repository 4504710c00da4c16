"""Interactions, MessageInteractions and PhoneNumbers: exact requests out, exact models back."""

from __future__ import annotations

import pytest
from aioresponses import aioresponses
from attrs import evolve
from proxy_support import (
    ACCOUNT,
    EXAMPLE_TIME,
    KC,
    KI,
    KP,
    KP_B,
    KS,
    NOT_FOUND,
    PARTICIPANT_URL,
    PN,
    SERVICE_URL,
    SESSION_URL,
    SM,
    SM_B,
    only_request,
    page_of,
)

from twilio_proxy_async import (
    Client,
    Interaction,
    InteractionResourceStatus,
    InteractionType,
    MessageInteraction,
    NotFoundError,
    PhoneNumber,
)

from helpers import wire

INTERACTIONS_URL = f"{SESSION_URL}/Interactions"
MESSAGES_URL = f"{PARTICIPANT_URL}/MessageInteractions"
NUMBERS_URL = f"{SERVICE_URL}/PhoneNumbers"


INTERACTION = Interaction(
    sid=KI,
    session_sid=KC,
    service_sid=KS,
    account_sid=ACCOUNT,
    data='{"body":"some message"}',
    type=InteractionType.MESSAGE,
    inbound_participant_sid=KP,
    inbound_resource_sid=SM,
    inbound_resource_status=InteractionResourceStatus.SENT,
    inbound_resource_type="Message",
    inbound_resource_url=None,
    outbound_participant_sid=KP_B,
    outbound_resource_sid=SM_B,
    outbound_resource_status=InteractionResourceStatus.SENT,
    outbound_resource_type="Message",
    outbound_resource_url=None,
    date_created=EXAMPLE_TIME,
    date_updated=EXAMPLE_TIME,
    url=f"{INTERACTIONS_URL}/{KI}",
)

MESSAGE_INTERACTION = MessageInteraction(
    sid=KI,
    session_sid=KC,
    service_sid=KS,
    account_sid=ACCOUNT,
    data='{"body":"some message"}',
    type=InteractionType.MESSAGE,
    participant_sid=KP,
    outbound_participant_sid=KP,
    outbound_resource_sid=SM,
    outbound_resource_status=InteractionResourceStatus.SENT,
    outbound_resource_type="Message",
    date_created=EXAMPLE_TIME,
    date_updated=EXAMPLE_TIME,
    url=f"{MESSAGES_URL}/{KI}",
)


def phone_number_model(phone_number: str = "12345", *, is_reserved: bool = False) -> PhoneNumber:
    return PhoneNumber(
        sid=PN,
        account_sid=ACCOUNT,
        service_sid=KS,
        date_created=EXAMPLE_TIME,
        date_updated=EXAMPLE_TIME,
        phone_number=phone_number,
        friendly_name="Friendly Name",
        iso_country="US",
        capabilities={"sms_outbound": True, "voice_inbound": False},
        url=f"{NUMBERS_URL}/{PN}",
        is_reserved=is_reserved,
        in_use=0,
    )


# --- Interactions ---------------------------------------------------------------------------


async def test_fetch_interaction(client: Client, mocked: aioresponses) -> None:
    mocked.get(f"{INTERACTIONS_URL}/{KI}", payload=wire(INTERACTION))

    interaction = await client.proxy.interactions.fetch(KS, KC, KI)

    assert interaction == INTERACTION
    assert interaction.data_json() == {"body": "some message"}
    request = only_request(mocked)
    assert (request.method, request.url) == ("GET", f"{INTERACTIONS_URL}/{KI}")


def test_data_json_when_absent_or_not_json() -> None:
    assert Interaction(sid=KI).data_json() is None
    with pytest.raises(ValueError, match=f"data of interaction {KI} is not valid JSON"):
        Interaction(sid=KI, data="{not json").data_json()
    assert MessageInteraction(sid=KI, data="[1, 2]").data_json() == [1, 2]


@pytest.mark.parametrize("status", [204, 200])
async def test_delete_interaction(client: Client, mocked: aioresponses, status: int) -> None:
    mocked.delete(f"{INTERACTIONS_URL}/{KI}", status=status)

    assert await client.proxy.interactions.delete(KS, KC, KI) is None

    request = only_request(mocked)
    assert (request.method, request.url) == ("DELETE", f"{INTERACTIONS_URL}/{KI}")


async def test_list_interactions(client: Client, mocked: aioresponses) -> None:
    url = f"{INTERACTIONS_URL}?PageSize=20"
    unknown_leg = {**wire(INTERACTION), "outbound_resource_status": "teleported"}
    records = [wire(INTERACTION), unknown_leg]
    mocked.get(url, payload=page_of("interactions", records, url))

    found = [i async for i in client.proxy.interactions.list(KS, KC, page_size=20)]

    # A status this version does not know is kept raw rather than failing the listing.
    assert found == [INTERACTION, evolve(INTERACTION, outbound_resource_status="teleported")]
    assert only_request(mocked).url == url


async def test_list_interactions_reads_an_empty_page(client: Client, mocked: aioresponses) -> None:
    mocked.get(INTERACTIONS_URL, payload=page_of("interactions", [], INTERACTIONS_URL))

    assert [i async for i in client.proxy.interactions.list(KS, KC)] == []


async def test_interaction_not_found(client: Client, mocked: aioresponses) -> None:
    mocked.get(f"{INTERACTIONS_URL}/{KI}", status=404, payload=NOT_FOUND)
    mocked.get(INTERACTIONS_URL, status=404, payload=NOT_FOUND)

    with pytest.raises(NotFoundError):
        await client.proxy.interactions.fetch(KS, KC, KI)
    with pytest.raises(NotFoundError):
        [i async for i in client.proxy.interactions.list(KS, KC)]


# --- MessageInteractions --------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201])
async def test_create_message_interaction(
    client: Client, mocked: aioresponses, status: int
) -> None:
    # The spec's answer is 200; older fixtures answer 201.
    mocked.post(MESSAGES_URL, status=status, payload=wire(MESSAGE_INTERACTION))

    created = await client.proxy.message_interactions.create(
        KS,
        KC,
        KP,
        body="some message",
        media_url=["https://example.com/a.png", "https://example.com/b c.png"],
    )

    assert created == MESSAGE_INTERACTION
    request = only_request(mocked)
    assert (request.method, request.url) == ("POST", MESSAGES_URL)
    assert request.form == [
        ("Body", "some message"),
        ("MediaUrl", "https://example.com/a.png"),
        ("MediaUrl", "https://example.com/b c.png"),
    ]


async def test_fetch_message_interaction(client: Client, mocked: aioresponses) -> None:
    mocked.get(f"{MESSAGES_URL}/{KI}", payload=wire(MESSAGE_INTERACTION))

    assert await client.proxy.message_interactions.fetch(KS, KC, KP, KI) == MESSAGE_INTERACTION

    request = only_request(mocked)
    assert (request.method, request.url) == ("GET", f"{MESSAGES_URL}/{KI}")


async def test_list_message_interactions_under_the_interactions_key(
    client: Client, mocked: aioresponses
) -> None:
    page = page_of("interactions", [wire(MESSAGE_INTERACTION)], MESSAGES_URL)
    mocked.get(MESSAGES_URL, payload=page)

    found = [m async for m in client.proxy.message_interactions.list(KS, KC, KP)]

    assert found == [MESSAGE_INTERACTION]
    assert only_request(mocked).url == MESSAGES_URL


async def test_list_message_interactions_without_meta_key(
    client: Client, mocked: aioresponses
) -> None:
    page = page_of("interactions", [wire(MESSAGE_INTERACTION)], MESSAGES_URL)
    del page["meta"]["key"]
    mocked.get(MESSAGES_URL, payload=page)

    found = [m async for m in client.proxy.message_interactions.list(KS, KC, KP)]

    assert found == [MESSAGE_INTERACTION]


async def test_list_message_interactions_reads_an_empty_page(
    client: Client, mocked: aioresponses
) -> None:
    mocked.get(MESSAGES_URL, payload=page_of("interactions", [], MESSAGES_URL))

    assert [m async for m in client.proxy.message_interactions.list(KS, KC, KP)] == []


async def test_message_interaction_not_found(client: Client, mocked: aioresponses) -> None:
    mocked.get(f"{MESSAGES_URL}/{KI}", status=404, payload=NOT_FOUND)
    mocked.get(MESSAGES_URL, status=404, payload=NOT_FOUND)

    with pytest.raises(NotFoundError):
        await client.proxy.message_interactions.fetch(KS, KC, KP, KI)
    with pytest.raises(NotFoundError):
        [m async for m in client.proxy.message_interactions.list(KS, KC, KP)]


# --- PhoneNumbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [201, 200])
async def test_create_phone_number_by_sid(
    client: Client, mocked: aioresponses, status: int
) -> None:
    mocked.post(NUMBERS_URL, status=status, payload=wire(phone_number_model("+1987654321")))

    number = await client.proxy.phone_numbers.create(KS, sid=PN, is_reserved=False)

    assert number == phone_number_model("+1987654321")
    request = only_request(mocked)
    assert (request.method, request.url) == ("POST", NUMBERS_URL)
    assert request.form == [("Sid", PN), ("IsReserved", "false")]


async def test_create_phone_number_by_number(client: Client, mocked: aioresponses) -> None:
    mocked.post(NUMBERS_URL, status=201, payload=wire(phone_number_model("+1987654321")))

    await client.proxy.phone_numbers.create(KS, phone_number="+1987654321", is_reserved=True)

    assert only_request(mocked).form == [("PhoneNumber", "+1987654321"), ("IsReserved", "true")]


async def test_fetch_phone_number(client: Client, mocked: aioresponses) -> None:
    mocked.get(f"{NUMBERS_URL}/{PN}", payload=wire(phone_number_model()))

    assert await client.proxy.phone_numbers.fetch(KS, PN) == phone_number_model()

    request = only_request(mocked)
    assert (request.method, request.url) == ("GET", f"{NUMBERS_URL}/{PN}")


async def test_update_phone_number(client: Client, mocked: aioresponses) -> None:
    mocked.post(f"{NUMBERS_URL}/{PN}", payload=wire(phone_number_model(is_reserved=True)))

    number = await client.proxy.phone_numbers.update(KS, PN, is_reserved=True)

    assert number == phone_number_model(is_reserved=True)
    request = only_request(mocked)
    assert (request.method, request.url) == ("POST", f"{NUMBERS_URL}/{PN}")
    assert request.form == [("IsReserved", "true")]


@pytest.mark.parametrize("status", [204, 200])
async def test_delete_phone_number(client: Client, mocked: aioresponses, status: int) -> None:
    mocked.delete(f"{NUMBERS_URL}/{PN}", status=status)

    assert await client.proxy.phone_numbers.delete(KS, PN) is None

    request = only_request(mocked)
    assert (request.method, request.url) == ("DELETE", f"{NUMBERS_URL}/{PN}")


async def test_list_phone_numbers_reads_a_full_page(client: Client, mocked: aioresponses) -> None:
    url = f"{NUMBERS_URL}?PageSize=1000"
    mocked.get(
        url, payload=page_of("phone_numbers", [wire(phone_number_model("+1987654321"))], url)
    )

    found = [n async for n in client.proxy.phone_numbers.list(KS, page_size=1000)]

    assert found == [phone_number_model("+1987654321")]
    assert only_request(mocked).url == f"{NUMBERS_URL}?PageSize=1000"


async def test_phone_number_not_found(client: Client, mocked: aioresponses) -> None:
    mocked.get(f"{NUMBERS_URL}/{PN}", status=404, payload=NOT_FOUND)
    mocked.get(NUMBERS_URL, status=404, payload=NOT_FOUND)

    with pytest.raises(NotFoundError):
        await client.proxy.phone_numbers.fetch(KS, PN)
    with pytest.raises(NotFoundError):
        [n async for n in client.proxy.phone_numbers.list(KS)]
