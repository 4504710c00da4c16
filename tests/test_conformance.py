"""The table against Twilio's own descriptions: the OpenAPI specs and Twilio's response bodies.

This is the one module that reads ``../shared``; it skips as a whole without it (a user's
clone), and every other test reads the table instead. The spec is the source of truth: a new
operation, form field, response property, enum value or SID pattern in it fails here until
the table (and so the SDK, the emulator and the export) covers it. Values are generated from
the spec schemas, so nothing below restates a wire name.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import attrs
import pytest
from aioresponses import aioresponses
from shared_support import FIXTURES, OPENAPI, twilio_bodies
from spec_support import (
    TIMESTAMP,
    TIMESTAMP_VALUE,
    Operation,
    argument_value,
    assert_fits,
    bad_sid,
    generated_record,
    good_sid,
    normalized,
    operations,
    record_schema,
    resolve,
    wire_value,
    without_none,
)

from twilio_proxy_async import AsyncPager, Client, InvalidParameterError
from twilio_proxy_async._converter import converter
from twilio_proxy_async._params import check_enum
from twilio_proxy_async._table import COLLECTIONS, Collection, Field, Verb
from twilio_proxy_async._table import Operation as TableOperation

from helpers import invoke

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

TABLE = {
    (op.collection.api.name, op.path, op.method): op
    for table in COLLECTIONS
    for op in table.operations()
}


def table_operation(operation: Operation) -> TableOperation[Any]:
    return TABLE[(operation.product, operation.path, operation.http_method)]


PAGE_SIZE = 7
LISTING_ARGUMENTS = {"page_size", "limit", "prefetch"}


OPERATIONS = operations(SPECS, CHAT_PATHS)
# Collections Twilio serves and documents that the current OpenAPI file leaves out:
# they are checked against Twilio's own response bodies instead.
NOT_IN_SPEC = {
    table.name
    for table in COLLECTIONS
    if not any((table.api.name, table.path) == (op.product, op.path) for op in OPERATIONS)
}


by_operation = pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.id)
# The operations that answer a record (or a page of them): every one but the deletes.
by_answering_operation = pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.http_method != "DELETE"], ids=lambda op: op.id
)


def sdk_method(client: Client, operation: Operation) -> Callable[..., Any]:
    found = table_operation(operation)
    table = found.collection
    target = getattr(getattr(getattr(client, table.api.name), table.attribute), found.verb.value)
    assert callable(target)
    return typing.cast(Callable[..., Any], target)


def response_model(client: Client, operation: Operation) -> type[Any]:
    returned = typing.get_type_hints(sdk_method(client, operation))["return"]
    if typing.get_origin(returned) is AsyncPager:
        (returned,) = typing.get_args(returned)
    assert attrs.has(returned)
    return typing.cast(type[Any], returned)


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
    form = {normalized(wire): (wire, schema) for wire, schema in operation.form.items()}
    for name, parameter in signature.parameters.items():
        if parameter.kind is not parameter.KEYWORD_ONLY:
            continue
        if operation.is_list:
            assert name in LISTING_ARGUMENTS, f"unexpected list argument {name}"
            continue
        assert normalized(name) in form, f"{name} is not a form field of {operation.id}"
        wire, schema = form[normalized(name)]
        assert_fits(hints[name], operation.spec, schema)
        keywords[name] = argument_value(operation.spec, wire, schema)
    if operation.is_list:
        keywords["page_size"] = PAGE_SIZE
    return path_values, keywords


# --- the table against the spec ------------------------------------------------------------


@by_operation
def test_every_operation_of_the_spec_is_in_the_table(client: Client, operation: Operation) -> None:
    key = (operation.product, operation.path, operation.http_method)
    assert key in TABLE, f"{operation.id} ({operation.http_method} {operation.path}) is missing"
    method = sdk_method(client, operation)
    assert inspect.iscoroutinefunction(method) != operation.is_list
    verb = re.match(r"[A-Z][a-z]+", operation.raw["operationId"])
    assert verb is not None and table_operation(operation).verb.value == verb.group().lower()


def test_the_table_holds_only_operations_of_the_spec() -> None:
    in_spec = {(op.product, op.path, op.http_method) for op in OPERATIONS}
    documented = {key for key, op in TABLE.items() if op.collection.name not in NOT_IN_SPEC}
    assert documented == in_spec


@by_operation
def test_path_sids_are_the_spec_patterns(operation: Operation) -> None:
    found = table_operation(operation)
    params = operation.path_params
    assert [p["name"] for p in params] == [sid.wire for sid in found.path_sids]
    for param, sid in zip(params, found.path_sids, strict=True):
        pattern = param["schema"].get("pattern")
        if pattern is None:
            # A path parameter without a pattern takes a unique name as well as a SID.
            assert found.verb is Verb.FETCH and found.collection.fetch_by_name, param["name"]
        else:
            assert pattern == f"^{sid.prefix}[0-9a-fA-F]{{32}}$", param["name"]


def assert_field_fits(field: Field, spec: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    schema = resolve(spec, schema)
    if "enum" in schema:
        assert isinstance(field.kind, type) and issubclass(field.kind, Enum), field.name
        assert [member.value for member in field.kind] == schema["enum"], field.name
        return
    kinds = {"integer": int, "boolean": bool, "array": list}
    expected = datetime if schema.get("format") == "date-time" else kinds.get(schema["type"], str)
    assert field.kind is expected, field.name
    pattern = schema.get("pattern")
    assert field.sid == (pattern[1:3] if pattern else None), field.name


@by_operation
def test_form_fields_are_the_spec_fields(operation: Operation) -> None:
    fields = table_operation(operation).fields
    assert [field.wire for field in fields] == list(operation.form), "the spec's, in its order"
    body = operation.raw.get("requestBody")
    schema = body["content"]["application/x-www-form-urlencoded"]["schema"] if body else {}
    assert [field.wire for field in fields if field.required] == schema.get("required", [])
    for field in fields:
        assert_field_fits(field, operation.spec, operation.form[field.wire])


@by_operation
def test_success_status_is_the_spec_one(operation: Operation) -> None:
    status, _ = operation.success
    assert table_operation(operation).success == status


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.is_list], ids=lambda op: op.id)
def test_list_key_and_page_size_are_the_spec_ones(operation: Operation) -> None:
    table = table_operation(operation).collection
    key, _ = record_schema(operation)
    assert key == table.key
    (page_size,) = (p for p in operation.raw["parameters"] if p["name"] == "PageSize")
    assert page_size["schema"]["maximum"] == table.api.max_page_size


# --- the table against Twilio's response bodies ---------------------------------------------


def bodies() -> list[dict[str, Any]]:
    records = twilio_bodies()
    if not records:
        pytest.skip(f"{FIXTURES} is absent (a clone without ../shared)")
    return records


def collection_of(resource: str) -> Collection[Any]:
    (found,) = (table for table in COLLECTIONS if table.name == resource + "s")
    return found


def test_twilio_bodies_cover_every_collection() -> None:
    assert {collection_of(record["resource"]) for record in bodies()} == set(COLLECTIONS)


def test_twilio_bodies_cover_every_operation_the_spec_leaves_out() -> None:
    answered = {
        (record["resource"] + "s", record["operation"], record["status"]) for record in bodies()
    }
    for table in COLLECTIONS:
        if table.name in NOT_IN_SPEC:
            for operation in table.operations():
                assert (table.name, operation.verb.value, operation.success) in answered


def test_twilio_bodies_structure_into_the_models() -> None:
    for record in bodies():
        table = collection_of(record["resource"])
        verb = Verb(record["operation"])
        assert verb in table.verbs, record["source"]
        body = record["body"]
        if verb is Verb.DELETE or body is None:
            continue
        listed = body[table.key] if verb is Verb.LIST else [body]
        if verb is Verb.LIST:
            assert body["meta"]["key"] == table.key, record["source"]
        for raw in listed:
            model = converter.structure(raw, table.model)
            assert model.sid == raw["sid"] and model.sid.startswith(table.prefix)


@pytest.mark.parametrize(
    "table", [table for table in COLLECTIONS if table.name in NOT_IN_SPEC], ids=lambda t: t.name
)
def test_models_the_spec_leaves_out_have_the_fields_twilio_answers(table: Collection[Any]) -> None:
    keys: set[str] = set()
    for record in bodies():
        body = record["body"]
        if collection_of(record["resource"]) is table and body is not None:
            for raw in body[table.key] if record["operation"] == "list" else [body]:
                keys.update(raw)
    assert {field.name for field in attrs.fields(table.model)} == keys


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
            assert actual == TIMESTAMP_VALUE, name
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
    names = {normalized(name): name for name in hints}
    for wire, prop in operation.form.items():
        values = resolve(operation.spec, prop).get("enum")
        if values is None:
            continue
        (enum,) = (m for m in without_none(hints[names[normalized(wire)]]) if m is not str)
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
    form = {normalized(wire): prop for wire, prop in operation.form.items()}
    for name in kwargs:
        prop = resolve(operation.spec, form.get(normalized(name), {}))
        if "pattern" in prop:
            with pytest.raises(InvalidParameterError):
                await invoke(method, args, {**kwargs, name: bad_sid(prop["pattern"])})
    assert mocked.requests == {}
