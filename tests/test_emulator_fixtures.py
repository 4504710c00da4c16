"""Twilio's own response bodies against the emulator's, operation by operation.

Each record of ../shared/fixtures/twilio_proxy_chat_fixtures.json goes through the SDK's
model, then the emulator performs the same operation: its status must be one Twilio gives
for that operation, its body must fit the same model, and both bodies must have the same
keys (nested objects too) and the same JSON type wherever neither value is null.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import attrs
import pytest
from test_emulator import Api, participant_json

from twilio_proxy_async._converter import structure
from twilio_proxy_async._table import COLLECTIONS
from twilio_proxy_async.testing import Emulator

FIXTURES = (
    Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "twilio_proxy_chat_fixtures.json"
)
# The fixtures name each resource in the singular of the table's collection name.
MODELS: dict[str, type[Any]] = {table.name.removesuffix("s"): table.model for table in COLLECTIONS}


def _records() -> list[dict[str, Any]]:
    if not FIXTURES.exists():
        return []
    loaded: list[dict[str, Any]] = json.loads(FIXTURES.read_text())
    return loaded


RECORDS = _records()
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


# Where Twilio's own sources disagree: twilio-python's Service bodies link short_codes (as the
# docs pages do), the OpenAPI examples do not. The emulator follows the former.
TOLERATED_EXTRA_KEYS = {"body.links": {"short_codes"}, "body.services[0].links": {"short_codes"}}


def assert_same_shape(twilio: object, ours: object, where: str = "body") -> None:
    if twilio is None or ours is None:
        return
    assert json_type(ours) == json_type(twilio), f"{where}: {ours!r} vs Twilio's {twilio!r}"
    if isinstance(twilio, dict):
        assert isinstance(ours, dict)
        extra = set(ours) - set(twilio) - TOLERATED_EXTRA_KEYS.get(where, set())
        assert set(twilio) <= set(ours) and not extra, (
            f"{where}: keys {sorted(ours)} vs Twilio's {sorted(twilio)}"
        )
        for key, value in twilio.items():
            assert_same_shape(value, ours[key], f"{where}.{key}")
    elif isinstance(twilio, list) and twilio and ours:
        assert isinstance(ours, list)
        assert_same_shape(twilio[0], ours[0], f"{where}[0]")


def through_model(resource: str, operation: str, body: Any) -> None:
    """The SDK reads the body: one model, or every item of a page."""
    model = MODELS[resource]
    if operation == "list":
        for item in body[body["meta"]["key"]]:
            structure(item, model)
    else:
        structure(body, model)


@attrs.define
class World:
    """One of every record, so each operation has something to act on."""

    api: Api
    ids: dict[str, str] = attrs.field(factory=dict)

    async def build(self) -> None:
        api = self.api
        chat = await api.ok("POST", "/v2/Services", 201, data={"FriendlyName": "chat"})
        self.ids["chat"] = chat["sid"]
        service = await api.ok(
            "POST", "/v1/Services", 201, data=self.service_form("world", chat["sid"])
        )
        self.ids["service"] = sid = service["sid"]
        for last in (1, 2):
            number = await api.ok(
                "POST",
                f"/v1/Services/{sid}/PhoneNumbers",
                201,
                data={"PhoneNumber": f"+1415555000{last}"},
            )
            self.ids["number"] = number["sid"]
        short_code = await api.ok(
            "POST", f"/v1/Services/{sid}/ShortCodes", 201, data={"Sid": "SC" + "1" * 32}
        )
        self.ids["short_code"] = short_code["sid"]
        session = await api.ok(
            "POST",
            f"/v1/Services/{sid}/Sessions",
            201,
            data={
                "UniqueName": "world-session",
                "DateExpiry": "2030-01-01T00:00:00Z",
                "Participants": participant_json("+15550000001", FriendlyName="first"),
            },
        )
        self.ids["session"] = session["sid"]
        (participant,) = (await api.ok("GET", self.participants, 200))["participants"]
        self.ids["participant"] = participant["sid"]
        message = await api.ok("POST", self.messages, 200, data={"Body": "some message"})
        self.ids["message"] = message["sid"]

    @staticmethod
    def service_form(name: str, chat_sid: str) -> dict[str, str]:
        return {
            "UniqueName": name,
            "DefaultTtl": "3600",
            "CallbackUrl": "http://www.example.com",
            "InterceptCallbackUrl": "http://www.example.com",
            "OutOfSessionCallbackUrl": "http://www.example.com",
            "ChatInstanceSid": chat_sid,
        }

    @property
    def service(self) -> str:
        return f"/v1/Services/{self.ids['service']}"

    @property
    def session(self) -> str:
        return f"{self.service}/Sessions/{self.ids['session']}"

    @property
    def participants(self) -> str:
        return f"{self.session}/Participants"

    @property
    def messages(self) -> str:
        return f"{self.participants}/{self.ids['participant']}/MessageInteractions"

    def request(self, resource: str, operation: str) -> tuple[str, str, Any]:
        """(method, path, form) of ``operation`` on ``resource``."""
        ids = self.ids
        collections = {
            "service": ("/v1/Services", ids["service"]),
            "phone_number": (f"{self.service}/PhoneNumbers", ids["number"]),
            "short_code": (f"{self.service}/ShortCodes", ids["short_code"]),
            "session": (f"{self.service}/Sessions", ids["session"]),
            "participant": (self.participants, ids["participant"]),
            "interaction": (f"{self.session}/Interactions", ids["message"]),
            "message_interaction": (self.messages, ids["message"]),
            "chat_service": ("/v2/Services", ids["chat"]),
        }
        creates: dict[str, Any] = {
            "service": self.service_form("another", ids["chat"]),
            "phone_number": {"PhoneNumber": "+14155550009"},
            "short_code": {"Sid": "SC" + "2" * 32},
            "session": {"UniqueName": "another", "Ttl": "3600", "Mode": "message-only"},
            "participant": {"Identifier": "+15550000002", "FriendlyName": "second"},
            "message_interaction": {"Body": "some message"},
            "chat_service": {"FriendlyName": "another"},
        }
        updates: dict[str, Any] = {
            "service": {"DefaultTtl": "60"},
            "phone_number": {"IsReserved": "true"},
            "short_code": {"IsReserved": "true"},
            "session": {"Ttl": "60", "Status": "in-progress"},
            "chat_service": CHAT_UPDATE,
        }
        collection, sid = collections[resource]
        item = f"{collection}/{sid}"
        return {
            "create": ("POST", collection, creates.get(resource)),
            "fetch": ("GET", item, None),
            "update": ("POST", item, updates.get(resource)),
            "delete": ("DELETE", item, None),
            "list": ("GET", collection, None),
        }[operation]


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


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with Emulator() as emulator, aiohttp.ClientSession() as session:
        built = World(Api(emulator, session))
        await built.build()
        yield built


@pytest.mark.parametrize("record", list(_params()))
async def test_the_emulator_answers_like_twilio(world: World, record: dict[str, Any]) -> None:
    resource, operation = record["resource"], record["operation"]
    if record["body"] is not None:
        through_model(resource, operation, record["body"])

    method, path, form = world.request(resource, operation)
    response = await world.api.call(method, path, data=form)
    assert response.status in STATUSES[(resource, operation)], response.body
    if record["body"] is None:
        assert response.body == b""
        return
    ours = response.json
    through_model(resource, operation, ours)
    if operation == "list":
        assert ours["meta"]["key"] == record["body"]["meta"]["key"]
    assert_same_shape(record["body"], ours)
