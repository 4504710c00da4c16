"""Every operation of the Proxy v1 spec (and Chat v2 ``/v2/Services``) against the SDK.

The spec is the source of truth: a new operation, form field, response property, enum value
or SID pattern in it fails here until the SDK covers it. Values are generated from the spec
schemas, so nothing below restates the wire names by hand except the operation table.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import pytest
from aioresponses import aioresponses

from twilio_proxy_async import AsyncPager, Client, InvalidParameterError
from twilio_proxy_async._converter import converter
from twilio_proxy_async._params import check_enum
from twilio_proxy_async.models._common import JSONObject, Links

OPENAPI = Path(__file__).resolve().parents[2] / "shared" / "openapi"
if (
    not (OPENAPI / "twilio_proxy_v1.json").is_file()
    or not (OPENAPI / "twilio_chat_v2.json").is_file()
):
    pytest.skip(f"{OPENAPI} is absent (a clone without ../shared)", allow_module_level=True)

SPECS: dict[str, dict[str, Any]] = {
    "proxy": json.loads((OPENAPI / "twilio_proxy_v1.json").read_text()),
    "chat": json.loads((OPENAPI / "twilio_chat_v2.json").read_text()),
}
# Only the Services of Chat v2 are in scope: the instance a Proxy Service links to.
CHAT_PATHS = ("/v2/Services", "/v2/Services/{Sid}")

# operation -> the SDK method that performs it. Every operation in scope must appear here.
METHODS = {
    "proxy:CreateService": "proxy.services.create",
    "proxy:FetchService": "proxy.services.fetch",
    "proxy:UpdateService": "proxy.services.update",
    "proxy:DeleteService": "proxy.services.delete",
    "proxy:ListService": "proxy.services.list",
    "proxy:CreateSession": "proxy.sessions.create",
    "proxy:FetchSession": "proxy.sessions.fetch",
    "proxy:UpdateSession": "proxy.sessions.update",
    "proxy:DeleteSession": "proxy.sessions.delete",
    "proxy:ListSession": "proxy.sessions.list",
    "proxy:CreateParticipant": "proxy.participants.create",
    "proxy:FetchParticipant": "proxy.participants.fetch",
    "proxy:DeleteParticipant": "proxy.participants.delete",
    "proxy:ListParticipant": "proxy.participants.list",
    "proxy:CreateMessageInteraction": "proxy.message_interactions.create",
    "proxy:FetchMessageInteraction": "proxy.message_interactions.fetch",
    "proxy:ListMessageInteraction": "proxy.message_interactions.list",
    "proxy:FetchInteraction": "proxy.interactions.fetch",
    "proxy:DeleteInteraction": "proxy.interactions.delete",
    "proxy:ListInteraction": "proxy.interactions.list",
    "proxy:CreatePhoneNumber": "proxy.phone_numbers.create",
    "proxy:FetchPhoneNumber": "proxy.phone_numbers.fetch",
    "proxy:UpdatePhoneNumber": "proxy.phone_numbers.update",
    "proxy:DeletePhoneNumber": "proxy.phone_numbers.delete",
    "proxy:ListPhoneNumber": "proxy.phone_numbers.list",
    "chat:CreateService": "chat.services.create",
    "chat:FetchService": "chat.services.fetch",
    "chat:UpdateService": "chat.services.update",
    "chat:DeleteService": "chat.services.delete",
    "chat:ListService": "chat.services.list",
}

PAGE_SIZE = 7
TIMESTAMP = "2015-07-30T20:00:00Z"
LISTING_ARGUMENTS = {"page_size", "limit", "prefetch"}


@dataclass(frozen=True)
class Operation:
    product: str
    path: str
    http_method: str
    raw: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.product}:{self.raw['operationId']}"

    @property
    def spec(self) -> dict[str, Any]:
        return SPECS[self.product]

    @property
    def path_params(self) -> list[dict[str, Any]]:
        params = [p for p in self.raw.get("parameters", []) if p["in"] == "path"]
        return sorted(params, key=lambda p: self.path.index("{" + p["name"] + "}"))

    @property
    def form(self) -> dict[str, Any]:
        body = self.raw.get("requestBody")
        if body is None:
            return {}
        schema = body["content"]["application/x-www-form-urlencoded"]["schema"]
        properties: dict[str, Any] = schema["properties"]
        return properties

    @property
    def success(self) -> tuple[int, dict[str, Any] | None]:
        status, response = next(
            (code, answer) for code, answer in self.raw["responses"].items() if code[0] == "2"
        )
        content = response.get("content", {}).get("application/json")
        return int(status), content["schema"] if content else None

    @property
    def is_list(self) -> bool:
        return self.http_method == "GET" and self.raw["operationId"].startswith("List")


def _operations() -> list[Operation]:
    found = []
    for product, spec in SPECS.items():
        for path, item in spec["paths"].items():
            if product == "chat" and path not in CHAT_PATHS:
                continue
            for method, raw in item.items():
                if method in {"get", "post", "delete", "put", "patch"}:
                    found.append(Operation(product, path, method.upper(), raw))
    return found


OPERATIONS = _operations()
by_operation = pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.id)
# The operations that answer a record (or a page of them): every one but the deletes.
by_answering_operation = pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.http_method != "DELETE"], ids=lambda op: op.id
)


def resolve(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return dict(schema)


def sdk_method(client: Client, operation: Operation) -> Callable[..., Any]:
    target: Any = client
    for attribute in METHODS[operation.id].split("."):
        target = getattr(target, attribute)
    assert callable(target)
    return typing.cast(Callable[..., Any], target)


def _hex_sid(pattern: str) -> str:
    match = re.fullmatch(r"\^(\w\w|\[a-zA-Z\]\{2\})\[0-9a-fA-F\]\{32\}\$", pattern)
    assert match, f"an unfamiliar SID pattern: {pattern}"
    prefix = match.group(1)
    return ("SM" if prefix.startswith("[") else prefix) + "0" * 31 + "1"


def good_sid(pattern: str) -> str:
    return _hex_sid(pattern)


def bad_sid(pattern: str) -> str:
    good = _hex_sid(pattern)
    return good[:-1] + "g"


def _normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def wire_value(spec: Mapping[str, Any], name: str, schema: Mapping[str, Any]) -> object:
    """A valid value for a spec property, as JSON carries it (responses) or as an argument."""
    schema = resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            return good_sid(schema["pattern"])
        if schema.get("format") == "date-time":
            return TIMESTAMP
        return f"{name}-value"
    if kind == "integer":
        return 7
    if kind == "boolean":
        return True
    if kind == "array":
        if resolve(spec, schema.get("items", {})).get("type") == "string":
            return [f"{name}-1", f"{name}-2"]
        return [{"identifier": "+15550001111"}]
    if schema.get("format") == "uri-map":
        return {"self": f"https://example.com/{name}"}
    return {"nested": True}


def argument_value(spec: Mapping[str, Any], name: str, schema: Mapping[str, Any]) -> object:
    value = wire_value(spec, name, schema)
    if value == TIMESTAMP:
        return datetime(2015, 7, 30, 20, tzinfo=UTC)
    return value


def _without_none(annotation: object) -> set[object]:
    return {arg for arg in typing.get_args(annotation) or (annotation,) if arg is not type(None)}


def assert_fits(annotation: object, spec: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """The Python type a spec schema calls for (with None allowed)."""
    schema = resolve(spec, schema)
    members = _without_none(annotation)
    if "enum" in schema:
        enums = [m for m in members if isinstance(m, type) and issubclass(m, Enum)]
        assert len(enums) == 1 and members == {enums[0], str}, annotation
        assert {member.value for member in enums[0]} == set(schema["enum"])
        return
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "array":
        (member,) = members
        assert typing.get_origin(member) is Sequence, annotation
        return
    expected: object
    if kind == "string":
        expected = datetime if fmt == "date-time" else str
    elif kind == "integer":
        expected = int
    elif kind == "boolean":
        expected = bool
    elif fmt == "uri-map":
        expected = Links
    else:
        expected = JSONObject
    assert members == {expected}, f"{annotation} does not fit {schema}"


def response_model(client: Client, operation: Operation) -> type[Any]:
    returned = typing.get_type_hints(sdk_method(client, operation))["return"]
    if typing.get_origin(returned) is AsyncPager:
        (returned,) = typing.get_args(returned)
    assert attrs.has(returned)
    return typing.cast(type[Any], returned)


def record_schema(operation: Operation) -> tuple[str | None, dict[str, Any]]:
    """The record schema of an operation's answer, and the list key for a listing."""
    _, schema = operation.success
    assert schema is not None
    if "$ref" in schema:
        return None, resolve(operation.spec, schema)
    (key,) = (name for name in schema["properties"] if name != "meta")
    return key, resolve(operation.spec, schema["properties"][key]["items"])


def generated_record(operation: Operation) -> dict[str, object]:
    _, schema = record_schema(operation)
    return {
        name: wire_value(operation.spec, name, prop) for name, prop in schema["properties"].items()
    }


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with Client("AC" + "0" * 31 + "1", "token", max_retries=0) as made:
        yield made


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as mock:
        yield mock


def call_arguments(client: Client, operation: Operation) -> tuple[list[str], dict[str, object]]:
    """Every path parameter in order, and every keyword argument the method takes."""
    path_values = [
        good_sid(p["schema"]["pattern"]) if "pattern" in p["schema"] else "my-unique-name"
        for p in operation.path_params
    ]
    signature = inspect.signature(sdk_method(client, operation))
    hints = typing.get_type_hints(sdk_method(client, operation))
    positional = [p for p in signature.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert len(positional) == len(path_values), "one positional argument per path parameter"
    keywords: dict[str, object] = {}
    form = {_normalized(wire): (wire, schema) for wire, schema in operation.form.items()}
    for name, parameter in signature.parameters.items():
        if parameter.kind is not parameter.KEYWORD_ONLY:
            continue
        if operation.is_list:
            assert name in LISTING_ARGUMENTS, f"unexpected list argument {name}"
            continue
        assert _normalized(name) in form, f"{name} is not a form field of {operation.id}"
        wire, schema = form[_normalized(name)]
        assert_fits(hints[name], operation.spec, schema)
        keywords[name] = argument_value(operation.spec, wire, schema)
    if operation.is_list:
        keywords["page_size"] = PAGE_SIZE
    return path_values, keywords


async def invoke(method: Callable[..., Any], args: list[str], kwargs: dict[str, object]) -> Any:
    outcome = method(*args, **kwargs)
    if isinstance(outcome, AsyncPager):
        async with outcome as records:
            return [record async for record in records]
    return await outcome


# --- the table ------------------------------------------------------------------------------


@by_operation
def test_every_operation_has_an_sdk_method(client: Client, operation: Operation) -> None:
    assert operation.id in METHODS, f"{operation.id} has no SDK method in the table"
    method = sdk_method(client, operation)
    assert inspect.iscoroutinefunction(method) != operation.is_list


def test_the_table_names_only_operations_of_the_spec() -> None:
    assert set(METHODS) == {operation.id for operation in OPERATIONS}


# --- requests and answers -------------------------------------------------------------------


@by_operation
async def test_request_and_answer(
    client: Client, mocked: aioresponses, operation: Operation
) -> None:
    args, kwargs = call_arguments(client, operation)
    status, _ = operation.success
    origin = f"https://{operation.product}.twilio.com"
    pattern = re.compile(re.escape(origin) + r"/.*")
    record = None if operation.http_method == "DELETE" else generated_record(operation)
    key, _ = record_schema(operation) if record is not None else (None, {})
    if operation.is_list:
        body: object = {key: [record], "meta": {"key": key, "next_page_url": None}}
    else:
        body = record
    mocked.add(
        pattern,
        method=operation.http_method,
        status=status,
        body=b"" if body is None else json.dumps(body).encode(),
    )

    answer = await invoke(sdk_method(client, operation), args, kwargs)

    ((method, url), requests) = next(iter(mocked.requests.items()))
    assert (method, len(requests)) == (operation.http_method, 1)
    expected_path = operation.path
    for parameter, value in zip(operation.path_params, args, strict=True):
        expected_path = expected_path.replace("{" + parameter["name"] + "}", value)
    assert f"{url.scheme}://{url.host}" == origin
    assert url.path == expected_path
    assert dict(url.query) == ({"PageSize": str(PAGE_SIZE)} if operation.is_list else {})
    data = requests[0].kwargs.get("data")
    if operation.http_method == "POST":
        sent_keys = {pair.split("=", 1)[0] for pair in data.decode().split("&") if pair}
        assert sent_keys == set(operation.form), "the form keys must be the spec's, all of them"
    else:
        assert data is None
    if record is None:
        assert answer is None
        return
    model = answer[0] if operation.is_list else answer
    assert_model_carries(model, record, operation)


def assert_model_carries(model: object, record: Mapping[str, object], operation: Operation) -> None:
    _, schema = record_schema(operation)
    for name, raw in record.items():
        actual = getattr(model, name)
        prop = resolve(operation.spec, schema["properties"][name])
        if "enum" in prop:
            assert isinstance(actual, Enum) and actual.value == raw, name
        elif raw == TIMESTAMP:
            assert actual == datetime(2015, 7, 30, 20, tzinfo=UTC), name
        elif isinstance(raw, list):
            assert list(actual) == raw, name
        else:
            assert actual == raw, name


# --- models ---------------------------------------------------------------------------------


@by_answering_operation
def test_model_fields_are_the_schema_properties(client: Client, operation: Operation) -> None:
    model = response_model(client, operation)
    _, schema = record_schema(operation)
    assert {field.name for field in attrs.fields(model)} == set(schema["properties"])
    hints = typing.get_type_hints(model)
    for name, prop in schema["properties"].items():
        assert_fits(hints[name], operation.spec, prop)


@by_answering_operation
def test_response_enums_structure_to_members(client: Client, operation: Operation) -> None:
    model = response_model(client, operation)
    _, schema = record_schema(operation)
    sid = wire_value(operation.spec, "sid", schema["properties"]["sid"])
    for name, prop in schema["properties"].items():
        for value in resolve(operation.spec, prop).get("enum", []):
            structured = getattr(converter.structure({"sid": sid, name: value}, model), name)
            assert isinstance(structured, Enum) and structured.value == value


@by_answering_operation
def test_model_sid_patterns_are_enforced(client: Client, operation: Operation) -> None:
    model = response_model(client, operation)
    _, schema = record_schema(operation)
    sid = good_sid(schema["properties"]["sid"]["pattern"])
    for name, prop in schema["properties"].items():
        if "pattern" not in prop:
            continue
        model(**{"sid": sid, name: good_sid(prop["pattern"])})
        with pytest.raises(ValueError, match=name):
            model(**{"sid": sid, name: bad_sid(prop["pattern"])})


# --- requests: enums and SIDs ---------------------------------------------------------------


@by_operation
def test_request_enums_accept_every_spec_value(client: Client, operation: Operation) -> None:
    hints = typing.get_type_hints(sdk_method(client, operation))
    names = {_normalized(name): name for name in hints}
    for wire, prop in operation.form.items():
        values = resolve(operation.spec, prop).get("enum")
        if values is None:
            continue
        (enum,) = (m for m in _without_none(hints[names[_normalized(wire)]]) if m is not str)
        for value in values:
            assert check_enum(enum, value, wire).value == value
        with pytest.raises(InvalidParameterError):
            check_enum(enum, "not-" + values[0], wire)


@by_operation
async def test_sid_patterns_are_checked_before_any_request(
    client: Client, mocked: aioresponses, operation: Operation
) -> None:
    args, kwargs = call_arguments(client, operation)
    method = sdk_method(client, operation)
    for index, parameter in enumerate(operation.path_params):
        if "pattern" not in parameter["schema"]:
            continue
        bad = [*args]
        bad[index] = bad_sid(parameter["schema"]["pattern"])
        with pytest.raises(InvalidParameterError):
            await invoke(method, bad, kwargs)
    form = {_normalized(wire): prop for wire, prop in operation.form.items()}
    for name in kwargs:
        prop = resolve(operation.spec, form.get(_normalized(name), {}))
        if "pattern" in prop:
            with pytest.raises(InvalidParameterError):
                await invoke(method, args, {**kwargs, name: bad_sid(prop["pattern"])})
    assert mocked.requests == {}
