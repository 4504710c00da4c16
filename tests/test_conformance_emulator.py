"""Twilio's own response bodies against the emulator's, operation by operation.

Each record of ../shared/fixtures/twilio_proxy_chat_fixtures.json goes through the SDK's
model, then the emulator performs the same operation: its status must be one Twilio gives
for that operation, its body must fit the same model, and both bodies must have the same
keys (nested objects too) and the same JSON type wherever neither value is null.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emulator_http import World
from shared_support import FIXTURES, twilio_bodies

from twilio_proxy_async._converter import structure
from twilio_proxy_async._table import COLLECTIONS, Verb, collection, parent_of

# The fixtures name each resource in the singular of the table's collection name.
MODELS: dict[str, type[Any]] = {table.name.removesuffix("s"): table.model for table in COLLECTIONS}


RECORDS = twilio_bodies()
STATUSES: dict[tuple[str, str], set[int]] = {}
for _record in RECORDS:
    STATUSES.setdefault((_record["resource"], _record["operation"]), set()).add(_record["status"])


def _params() -> Iterator[Any]:
    if not RECORDS:
        yield pytest.param(None, marks=pytest.mark.skip(reason=f"{FIXTURES} is absent"))
    for record in RECORDS:
        yield pytest.param(
            record, id=f"{record['resource']}-{record['operation']}-{record['source']}"
        )


def json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


# What Twilio's update fixture sets, so the answer's nested objects carry the same keys.
CHAT_UPDATE = [
    ("FriendlyName", "friendly_name"),
    ("Notifications.LogEnabled", "true"),
    *(
        pair
        for event in ("NewMessage", "AddedToChannel", "RemovedFromChannel", "InvitedToChannel")
        for pair in (
            (f"Notifications.{event}.Enabled", "false"),
            (f"Notifications.{event}.Template", f"notifications.{event}.template"),
        )
    ),
    ("Notifications.NewMessage.BadgeCountEnabled", "true"),
    ("Limits.ChannelMembers", "500"),
    ("Limits.UserChannels", "600"),
    ("Media.CompatibilityMessage", "new media compatibility message"),
    ("PreWebhookUrl", "https://example.com/pre"),
    ("PostWebhookUrl", "https://example.com/post"),
    ("WebhookFilters", "onMessageSend"),
]
FORMS = {("chat_services", Verb.UPDATE): CHAT_UPDATE}


def child_links(resource: str) -> set[str]:
    """The links a record has by the table: one per collection that hangs off it."""
    table = collection(resource + "s")
    return {child.name for child in COLLECTIONS if parent_of(child) is table}


def assert_same_shape(
    twilio: object, ours: object, where: str = "body", links: frozenset[str] = frozenset()
) -> None:
    """Where Twilio's own sources disagree: twilio-python's bodies link every collection
    under a record (as the docs pages do), the older OpenAPI examples leave the newest out.
    The emulator links every child collection of the table (``links``): those keys may be
    extra in a ``links`` object, no other."""
    if twilio is None or ours is None:
        return
    assert json_type(ours) == json_type(twilio), f"{where}: {ours!r} vs Twilio's {twilio!r}"
    if isinstance(twilio, dict):
        assert isinstance(ours, dict)
        extra = set(ours) - set(twilio) - (links if where.endswith(".links") else set())
        assert set(twilio) <= set(ours) and not extra, (
            f"{where}: keys {sorted(ours)} vs Twilio's {sorted(twilio)}"
        )
        for key, value in twilio.items():
            assert_same_shape(value, ours[key], f"{where}.{key}", links)
    elif isinstance(twilio, list) and twilio and ours:
        assert isinstance(ours, list)
        assert_same_shape(twilio[0], ours[0], f"{where}[0]", links)


def through_model(resource: str, operation: str, body: Any) -> None:
    """The SDK reads the body: one model, or every item of a page."""
    model = MODELS[resource]
    if operation == "list":
        for item in body[body["meta"]["key"]]:
            structure(item, model)
    else:
        structure(body, model)


@pytest.mark.parametrize("record", list(_params()))
async def test_the_emulator_answers_like_twilio(world: World, record: dict[str, Any]) -> None:
    resource, operation = record["resource"], record["operation"]
    if record["body"] is not None:
        through_model(resource, operation, record["body"])

    method, path, form = world.request(resource + "s", Verb(operation))
    form = FORMS.get((resource + "s", Verb(operation)), form)
    response = await world.api.call(method, path, data=form)
    assert response.status in STATUSES[(resource, operation)], response.body
    if record["body"] is None:
        assert response.body == b""
        return
    ours = response.json
    through_model(resource, operation, ours)
    if operation == "list":
        assert ours["meta"]["key"] == record["body"]["meta"]["key"]
    assert_same_shape(record["body"], ours, links=frozenset(child_links(resource)))
