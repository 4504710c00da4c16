"""Driving the emulator over raw HTTP, as any client would: requests, answers, error bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import attrs
from table_support import least_form
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


# The collection each parent SID prefix names (KS: services, KC: sessions, KP: participants).
_PARENTS = {
    table.prefix: table.name
    for table in COLLECTIONS
    if any(parent.prefix == table.prefix for other in COLLECTIONS for parent in other.parents)
}


@attrs.define
class World:
    """One record of every collection, so each operation of the table has one to act on.

    ``ids`` holds a SID per collection name. Everything comes from the table: paths from its
    templates, forms from its fields (``table_support.least_form``), the order from its
    parents-first order. A collection without a create (Interactions) holds the record of
    the one with the same SID prefix (a MessageInteraction is an Interaction).
    """

    api: Api
    ids: dict[str, str] = attrs.field(factory=dict)

    async def build(self) -> None:
        for table in COLLECTIONS:
            if Verb.CREATE not in table.verbs:
                continue
            # Two of each pool member, so a session's second participant finds a number free.
            for variant in range(1, 3 if table.pool else 2):
                form = least_form(table.operation(Verb.CREATE), variant)
                self.ids[table.name] = (await self.create(table.name, form))["sid"]
        for table in COLLECTIONS:
            if table.name not in self.ids:
                (same,) = (o.name for o in COLLECTIONS if o.prefix == table.prefix and o != table)
                self.ids[table.name] = self.ids[same]

    async def create(self, name: str, form: Form) -> Any:
        method, path, _ = self.request(name, Verb.CREATE)
        return await self.api.ok(
            method, path, collection(name).operation(Verb.CREATE).success, data=form
        )

    def path(self, name: str, verb: Verb) -> str:
        """The path of ``verb`` on this world's record of collection ``name``."""
        operation = collection(name).operation(verb)
        sids = [
            self.ids[name if sid.name == "sid" else _PARENTS[sid.prefix]]
            for sid in operation.path_sids
        ]
        return operation.format_path.format(*sids)

    def request(self, name: str, verb: Verb) -> tuple[str, str, Any]:
        """(method, path, form) of ``verb`` on this world's record of collection ``name``; a
        create makes a record other than the world's own."""
        operation = collection(name).operation(verb)
        form = least_form(operation, variant=3) if operation.fields else None
        return operation.method, self.path(name, verb), form
