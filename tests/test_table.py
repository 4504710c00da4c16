"""Every operation of the table against the SDK, with no spec at hand (aioresponses).

Values come from the table's fields, so a new table entry is tested here without a line
of new test code: its methods must exist with the table's signature, send exactly the
table's path and form, answer the table's model, and refuse a bad SID before any request.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aioresponses import aioresponses
from table_support import argument, bad_sid, good_sid, sdk_method, wire_pairs

from twilio_proxy_async import AsyncPager, Client, InvalidParameterError
from twilio_proxy_async._table import COLLECTIONS, Collection, Operation, Verb, parent_of

from helpers import invoke

LISTING_ARGUMENTS = ["page_size", "limit", "prefetch"]

OPERATIONS = [op for table in COLLECTIONS for op in table.operations()]
by_operation = pytest.mark.parametrize("operation", OPERATIONS, ids=str)
by_collection = pytest.mark.parametrize("table", COLLECTIONS, ids=lambda table: table.name)


def call(client: Client, operation: Operation[Any]) -> tuple[list[str], dict[str, object]]:
    sids = [good_sid(sid.prefix) for sid in operation.path_sids]
    keywords: dict[str, object] = {field.name: argument(field) for field in operation.fields}
    if operation.verb is Verb.LIST:
        keywords["page_size"] = 7
    return sids, keywords


def answer(operation: Operation[Any]) -> bytes:
    record = {"sid": good_sid(operation.collection.prefix)}
    if operation.verb is Verb.DELETE:
        return b""
    if operation.verb is Verb.LIST:
        key = operation.collection.key
        return json.dumps({key: [record], "meta": {"key": key, "next_page_url": None}}).encode()
    return json.dumps(record).encode()


# --- the table itself -----------------------------------------------------------------------


@by_collection
def test_python_names_spell_the_wire_names(table: Collection[Any]) -> None:
    for field in (*table.create, *table.update):
        for one in (field, *field.members):
            assert re.sub(r"[^a-z]", "", one.name) == re.sub(r"[^a-z]", "", one.wire.lower())


@by_collection
def test_every_parent_is_a_collection_on_the_path(table: Collection[Any]) -> None:
    assert table.path.startswith(f"/{table.api.version}/")
    placeholders = re.findall(r"\{(\w+)\}", table.path)
    assert placeholders == [parent.wire for parent in table.parents]
    parent = parent_of(table)
    if parent is None:
        assert table.parents == ()
        return
    # The child hangs off its parent's instance path, the parent's Sid renamed for the child.
    named = parent.instance_path.replace(parent.record.placeholder, table.parents[-1].placeholder)
    assert table.path.startswith(named + "/")
    assert parent.parents == table.parents[:-1]


def test_collection_names_are_unique() -> None:
    names = [table.name for table in COLLECTIONS]
    assert len(names) == len(set(names))


def test_every_operation_but_a_create_is_idempotent() -> None:
    assert {verb for verb in Verb if not verb.idempotent} == {Verb.CREATE}
    assert {verb for verb in Verb if verb.writes} == {Verb.CREATE, Verb.UPDATE, Verb.DELETE}
    for operation in OPERATIONS:
        # On the wire: only a POST to the collection itself makes a record.
        creates = operation.method == "POST" and operation.path == operation.collection.path
        assert operation.idempotent is not creates, operation


# --- the SDK against the table --------------------------------------------------------------


@by_operation
def test_the_method_signature_is_the_table(client: Client, operation: Operation[Any]) -> None:
    method = sdk_method(client, operation)
    assert inspect.iscoroutinefunction(method) == (operation.verb is not Verb.LIST)
    returned = typing.get_type_hints(method)["return"]
    model = operation.collection.model
    expected_return = {Verb.DELETE: type(None), Verb.LIST: AsyncPager[model]}
    assert returned == expected_return.get(operation.verb, model)
    parameters = inspect.signature(method).parameters.values()
    positional = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    expected = [sid.name for sid in operation.path_sids]
    if operation.verb is Verb.FETCH and operation.collection.fetch_by_name:
        expected[-1] = "sid_or_unique_name"
    assert positional == expected
    keywords = {p.name: p for p in parameters if p.kind is p.KEYWORD_ONLY}
    if operation.verb is Verb.LIST:
        assert list(keywords) == LISTING_ARGUMENTS
        return
    assert list(keywords) == [field.name for field in operation.fields]
    for field in operation.fields:
        default = keywords[field.name].default
        assert (default is inspect.Parameter.empty) == field.required, field.name
        assert field.required or default is None, field.name


@by_operation
async def test_request_is_the_table(
    client: Client, mocked: aioresponses, operation: Operation[Any]
) -> None:
    origin = f"https://{operation.collection.api.name}.twilio.com"
    status = 204 if operation.verb is Verb.DELETE else 200
    mocked.add(
        re.compile(re.escape(origin) + "/.*"),
        operation.method,
        status=status,
        body=answer(operation),
    )
    args, kwargs = call(client, operation)

    outcome = await invoke(sdk_method(client, operation), args, kwargs)

    ((method, url), requests) = next(iter(mocked.requests.items()))
    assert (method, len(requests)) == (operation.method, 1)
    assert f"{url.scheme}://{url.host}" == origin
    assert url.path == operation.format_path.format(*args)
    assert dict(url.query) == ({"PageSize": "7"} if operation.verb is Verb.LIST else {})
    data = requests[0].kwargs.get("data")
    if operation.method == "POST":
        expected = [pair for f in operation.fields for pair in wire_pairs(f, kwargs[f.name])]
        assert parse_qsl(data.decode(), keep_blank_values=True) == expected
    else:
        assert data is None
    if operation.verb is Verb.DELETE:
        assert outcome is None
        return
    (model,) = outcome if operation.verb is Verb.LIST else (outcome,)
    assert type(model) is operation.collection.model
    assert model.sid == good_sid(operation.collection.prefix)


@by_operation
async def test_bad_sids_are_refused_before_any_request(
    client: Client, mocked: aioresponses, operation: Operation[Any]
) -> None:
    args, kwargs = call(client, operation)
    method = sdk_method(client, operation)
    by_name = operation.verb is Verb.FETCH and operation.collection.fetch_by_name
    for index, sid in enumerate(operation.path_sids):
        if by_name and index == len(args) - 1:
            continue
        bad = [*args]
        bad[index] = bad_sid(sid.prefix)
        with pytest.raises(InvalidParameterError, match=sid.name):
            await invoke(method, bad, kwargs)
    for field in operation.fields:
        if field.sid is None:
            continue
        # Another collection's SID, a malformed one, an empty one.
        other = next(table.prefix for table in COLLECTIONS if table.prefix != field.sid)
        for bad in (bad_sid(field.sid), good_sid(other), ""):
            with pytest.raises(InvalidParameterError, match=field.name):
                await invoke(method, args, {**kwargs, field.name: bad})
    assert mocked.requests == {}


@by_operation
async def test_required_fields_are_refused_when_missing(
    client: Client, mocked: aioresponses, operation: Operation[Any]
) -> None:
    args, kwargs = call(client, operation)
    for field in operation.fields:
        if field.required:
            with pytest.raises(InvalidParameterError, match=field.name):
                await invoke(sdk_method(client, operation), args, {**kwargs, field.name: None})
    assert mocked.requests == {}


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.verb is Verb.LIST], ids=str)
async def test_page_size_is_bounded_by_the_api(
    client: Client, mocked: aioresponses, operation: Operation[Any]
) -> None:
    args, _ = call(client, operation)
    largest = operation.collection.api.max_page_size
    for page_size in (0, largest + 1):
        with pytest.raises(InvalidParameterError, match=f"1 to {largest}"):
            sdk_method(client, operation)(*args, page_size=page_size)
    assert mocked.requests == {}
