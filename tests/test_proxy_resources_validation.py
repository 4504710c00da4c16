"""Bad arguments to the Proxy resources fail with InvalidParameterError before any request."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime

import pytest
from aioresponses import aioresponses
from proxy_support import KC, KI, KP, KS, PN

from twilio_proxy_async import Client, InvalidParameterError

Call = Callable[[Client], object]


def sessions_create(**kwargs: object) -> Call:
    return lambda c: c.proxy.sessions.create(KS, **kwargs)  # type: ignore[arg-type]


BAD_CALLS: dict[str, Call] = {
    # Sessions
    "session service sid": lambda c: c.proxy.sessions.create("KS123"),
    "session service prefix": lambda c: c.proxy.sessions.list(KC),
    "session mode": sessions_create(mode="chat"),
    "session status": sessions_create(status="paused"),
    "session naive expiry": sessions_create(date_expiry=datetime(2030, 1, 1)),
    "session ttl string": sessions_create(ttl="60"),
    "participants not a sequence": sessions_create(participants={"identifier": "+1"}),
    "participants a string": sessions_create(participants="+15551230001"),
    "participant not a mapping": sessions_create(participants=["+15551230001"]),
    "participant unknown key": sessions_create(participants=[{"identifier": "+1", "name": "A"}]),
    "participant key in both spellings": sessions_create(
        participants=[{"identifier": "+1", "Identifier": "+1"}]
    ),
    "participant without identifier": sessions_create(participants=[{"friendly_name": "A"}]),
    "participant identifier not a string": sessions_create(participants=[{"identifier": 1}]),
    "participant proxy sid": sessions_create(
        participants=[{"identifier": "+1", "proxy_identifier_sid": KP}]
    ),
    "second participant bad": sessions_create(
        participants=[{"identifier": "+1"}, {"Identifier": "+2", "Sid": PN}]
    ),
    "session fetch empty name": lambda c: c.proxy.sessions.fetch(KS, ""),
    "session update by unique name": lambda c: c.proxy.sessions.update(KS, "Order #1234"),
    "session update status": lambda c: c.proxy.sessions.update(KS, KC, status="archived"),
    "session delete wrong prefix": lambda c: c.proxy.sessions.delete(KS, KP),
    # Participants
    "participant session sid": lambda c: c.proxy.participants.create(KS, "KC", identifier="+1"),
    "participant empty identifier": lambda c: c.proxy.participants.create(KS, KC, identifier=""),
    "participant proxy identifier sid": lambda c: c.proxy.participants.create(
        KS, KC, identifier="+1", proxy_identifier_sid="PN" + "z" * 32
    ),
    "participant fetch sid": lambda c: c.proxy.participants.fetch(KS, KC, KI),
    "participant delete sid": lambda c: c.proxy.participants.delete(KS, KC, "KP"),
    "participant list session": lambda c: c.proxy.participants.list(KS, KS),
    # Interactions
    "interaction fetch sid": lambda c: c.proxy.interactions.fetch(KS, KC, KP),
    "interaction delete session": lambda c: c.proxy.interactions.delete(KS, "x", KI),
    "interaction list service": lambda c: c.proxy.interactions.list("", KC),
    # MessageInteractions
    "message participant sid": lambda c: c.proxy.message_interactions.create(KS, KC, KI, body="hi"),
    "message media url string": lambda c: c.proxy.message_interactions.create(
        KS, KC, KP, media_url="https://example.com/a.png"
    ),
    "message media url items": lambda c: c.proxy.message_interactions.create(
        KS, KC, KP, media_url=[1]
    ),
    "message fetch sid": lambda c: c.proxy.message_interactions.fetch(KS, KC, KP, KP),
    "message list participant": lambda c: c.proxy.message_interactions.list(KS, KC, KC),
    # PhoneNumbers
    "number neither sid nor phone number": lambda c: c.proxy.phone_numbers.create(KS),
    "number only is_reserved": lambda c: c.proxy.phone_numbers.create(KS, is_reserved=True),
    "number sid prefix": lambda c: c.proxy.phone_numbers.create(KS, sid=KP),
    "number is_reserved not bool": lambda c: c.proxy.phone_numbers.create(
        KS, phone_number="+1", is_reserved="yes"
    ),
    "number update is_reserved int": lambda c: c.proxy.phone_numbers.update(KS, PN, is_reserved=1),
    "number fetch sid": lambda c: c.proxy.phone_numbers.fetch(KS, "+15551230001"),
    "number delete service": lambda c: c.proxy.phone_numbers.delete(PN, PN),
    # Listing bounds
    "page size over 1000": lambda c: c.proxy.sessions.list(KS, page_size=1001),
    "limit zero": lambda c: c.proxy.phone_numbers.list(KS, limit=0),
}


@pytest.mark.parametrize("call", BAD_CALLS.values(), ids=BAD_CALLS.keys())
async def test_bad_arguments_send_nothing(client: Client, mocked: aioresponses, call: Call) -> None:
    with pytest.raises(InvalidParameterError):
        outcome = call(client)
        if inspect.isawaitable(outcome):
            await outcome
        else:
            pytest.fail(f"expected an error before any request, got {outcome!r}")

    assert mocked.requests == {}


def test_invalid_parameter_error_is_a_value_error() -> None:
    assert issubclass(InvalidParameterError, ValueError)
