"""Driving the emulator over raw HTTP, as any client would: requests, answers, error bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import attrs
from yarl import URL

from twilio_proxy_async._table import COLLECTIONS, Verb, collection
from twilio_proxy_async.testing import Emulator

ERROR_KEYS = {"code", "message", "more_info", "status"}
META_KEYS = {
    "first_page_url",
    "key",
    "next_page_url",
    "page",
    "page_size",
    "previous_page_url",
    "url",
}

Form = Mapping[str, str] | Sequence[tuple[str, str]]


def model_fields(name: str) -> set[str]:
    """The fields of a collection's records (the conformance test pins them to the spec)."""
    return {field.name for field in attrs.fields(collection(name).model)}


def participant_json(identifier: str, **extra: str) -> str:
    return json.dumps({"Identifier": identifier, **extra})


@attrs.frozen
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Api:
    """Thin request helper: every call is a real HTTP round trip to the emulator."""

    def __init__(self, emulator: Emulator, session: aiohttp.ClientSession) -> None:
        self.emulator = emulator
        self.session = session
        self._numbers_added = 0

    @property
    def headers(self) -> dict[str, str]:
        login, password = self.emulator.account_sid, self.emulator.auth_token
        return {"Authorization": aiohttp.encode_basic_auth(login, password)}

    async def call(
        self,
        method: str,
        target: str | URL,
        *,
        data: Form | None = None,
        params: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> Response:
        url = target if isinstance(target, URL) else URL(self.emulator.url + target)
        login, password = auth or (self.emulator.account_sid, self.emulator.auth_token)
        headers = {"Authorization": aiohttp.encode_basic_auth(login, password)}
        async with self.session.request(
            method, url, data=data, params=params, headers=headers
        ) as response:
            return Response(response.status, dict(response.headers), await response.read())

    async def ok(self, method: str, target: str | URL, status: int, **kwargs: Any) -> Any:
        response = await self.call(method, target, **kwargs)
        assert response.status == status, response.body
        return response.json if response.body else None

    async def error(self, method: str, target: str | URL, status: int, **kwargs: Any) -> int:
        """Asserts a Twilio error body with exactly the four keys and returns its code."""
        response = await self.call(method, target, **kwargs)
        assert response.status == status, response.body
        assert response.headers["Content-Type"].startswith("application/json")
        body = response.json
        assert set(body) == ERROR_KEYS
        assert body["status"] == status
        assert body["more_info"] == f"https://www.twilio.com/docs/errors/{body['code']}"
        code: int = body["code"]
        return code

    async def service(self, name: str = "svc", numbers: int = 2) -> dict[str, Any]:
        service: dict[str, Any] = await self.ok(
            "POST", "/v1/Services", 201, data={"UniqueName": name}
        )
        for _ in range(numbers):
            self._numbers_added += 1
            await self.ok(
                "POST",
                f"/v1/Services/{service['sid']}/PhoneNumbers",
                201,
                data={"PhoneNumber": f"+1415555{self._numbers_added:04d}"},
            )
        return service

    async def walk(self, path: str, page_size: int) -> list[dict[str, Any]]:
        """Every record of a list, following next_page_url exactly as served."""
        records: list[dict[str, Any]] = []
        target: str | URL = f"{path}?PageSize={page_size}"
        while True:
            page = await self.ok("GET", target, 200)
            records.extend(page[page["meta"]["key"]])
            if page["meta"]["next_page_url"] is None:
                return records
            target = URL(page["meta"]["next_page_url"], encoded=True)


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


def _service_form(name: str, chat_sid: str) -> dict[str, str]:
    return {
        "UniqueName": name,
        "DefaultTtl": "3600",
        "CallbackUrl": "http://www.example.com",
        "InterceptCallbackUrl": "http://www.example.com",
        "OutOfSessionCallbackUrl": "http://www.example.com",
        "ChatInstanceSid": chat_sid,
    }


# The collection each parent SID prefix names (KS: services, KC: sessions, KP: participants).
_PARENTS = {
    table.prefix: table.name
    for table in COLLECTIONS
    if any(parent.prefix == table.prefix for other in COLLECTIONS for parent in other.parents)
}


@attrs.define
class World:
    """One record of every collection, so each operation of the table has one to act on.

    ``ids`` holds a SID per collection name; paths come from the table's templates. Only
    what a record needs to exist (``build``) and the forms of a create or an update are
    written per collection here.
    """

    api: Api
    ids: dict[str, str] = attrs.field(factory=dict)

    async def build(self) -> None:
        api, ids = self.api, self.ids
        chat = await api.ok("POST", "/v2/Services", 201, data={"FriendlyName": "chat"})
        ids["chat_services"] = chat["sid"]
        form = _service_form("world", chat["sid"])
        ids["services"] = (await api.ok("POST", "/v1/Services", 201, data=form))["sid"]
        for last in (1, 2):
            form = {"PhoneNumber": f"+1415555000{last}"}
            ids["phone_numbers"] = (await self.create("phone_numbers", form))["sid"]
        ids["short_codes"] = (await self.create("short_codes", {"Sid": "SC" + "1" * 32}))["sid"]
        form = {
            "UniqueName": "world-session",
            "DateExpiry": "2030-01-01T00:00:00Z",
            "Participants": participant_json("+15550000001", FriendlyName="first"),
        }
        ids["sessions"] = (await self.create("sessions", form))["sid"]
        method, path, _ = self.request("participants", Verb.LIST)
        (participant,) = (await api.ok(method, path, 200))["participants"]
        ids["participants"] = participant["sid"]
        message = await self.create("message_interactions", {"Body": "some message"})
        ids["message_interactions"] = ids["interactions"] = message["sid"]

    async def create(self, name: str, form: Form) -> Any:
        method, path, _ = self.request(name, Verb.CREATE)
        return await self.api.ok(
            method, path, collection(name).operation(Verb.CREATE).success, data=form
        )

    def request(self, name: str, verb: Verb) -> tuple[str, str, Any]:
        """(method, path, form) of ``verb`` on this world's record of collection ``name``."""
        operation = collection(name).operation(verb)
        sids = [
            self.ids[name if sid.name == "sid" else _PARENTS[sid.prefix]]
            for sid in operation.path_sids
        ]
        creates: dict[str, Any] = {
            "services": _service_form("another", self.ids.get("chat_services", "")),
            "phone_numbers": {"PhoneNumber": "+14155550009"},
            "short_codes": {"Sid": "SC" + "2" * 32},
            "sessions": {"UniqueName": "another", "Ttl": "3600", "Mode": "message-only"},
            "participants": {"Identifier": "+15550000002", "FriendlyName": "second"},
            "message_interactions": {"Body": "some message"},
            "chat_services": {"FriendlyName": "another"},
        }
        updates: dict[str, Any] = {
            "services": {"DefaultTtl": "60"},
            "phone_numbers": {"IsReserved": "true"},
            "short_codes": {"IsReserved": "true"},
            "sessions": {"Ttl": "60", "Status": "in-progress"},
            "chat_services": CHAT_UPDATE,
        }
        form = {Verb.CREATE: creates, Verb.UPDATE: updates}.get(verb, {}).get(name)
        return operation.method, operation.format_path.format(*sids), form
