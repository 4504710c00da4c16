"""What the table-driven tests are made of: the SDK method of each operation of the table,
and a value for each of its fields, as a caller passes it and as the form carries it.

Values come from each field's kind (and SID prefix), never from the collection it belongs
to, so a new table entry is tested without a line of new test code. ``variant`` makes a
second, different value (a second record of a collection that wants unique names or SIDs).
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from twilio_proxy_async import Client
from twilio_proxy_async._table import Field, Operation

MOMENT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def good_sid(prefix: str, variant: int = 1) -> str:
    return f"{prefix}{variant:032x}"


def bad_sid(prefix: str) -> str:
    return prefix + "0" * 31 + "g"


def sdk_method(client: Client, operation: Operation[Any]) -> Callable[..., Any]:
    table = operation.collection
    resource = getattr(getattr(client, table.api.name), table.attribute)
    return typing.cast(Callable[..., Any], getattr(resource, operation.verb.value))


def argument(field: Field, variant: int = 1) -> object:
    """A valid value for a field, as a caller passes it."""
    if field.members:
        return [{member.name: argument(member, variant) for member in field.members}]
    if isinstance(field.kind, type) and issubclass(field.kind, Enum):
        return next(iter(field.kind))
    values: dict[type[object], object] = {
        int: 7,
        bool: True,
        datetime: MOMENT,
        list: [f"{field.name}-{variant}", f"{field.name}-{variant}b"],
    }
    if field.kind in values:
        return values[field.kind]
    return good_sid(field.sid, variant) if field.sid else f"{field.name}-{variant}"


def wire_pairs(field: Field, value: object) -> list[tuple[str, str]]:
    """What the form must carry for that value: Twilio's spelling of each kind."""
    if field.members:
        assert isinstance(value, list)
        encoded = [{m.wire: item[m.name] for m in field.members} for item in value]
        return [(field.wire, json.dumps(item, separators=(",", ":"))) for item in encoded]
    if isinstance(value, list):
        return [(field.wire, item) for item in value]
    if isinstance(value, Enum):
        return [(field.wire, str(value.value))]
    if isinstance(value, bool):
        return [(field.wire, "true" if value else "false")]
    if isinstance(value, datetime):
        return [(field.wire, value.strftime("%Y-%m-%dT%H:%M:%SZ"))]
    return [(field.wire, str(value))]


def least_fields(operation: Operation[Any]) -> tuple[Field, ...]:
    """The fewest fields a create or an update is sent with against a live emulator: the
    required ones, else the first (of a create, the one that names the record; of an
    update, a change). Other fields may need a context (a number of the pool, a status
    the record can move to); the SDK's exact form of every field is test_table's."""
    fields = operation.fields
    return tuple(field for field in fields if field.required) or fields[:1]


def least_arguments(operation: Operation[Any], variant: int = 1) -> dict[str, object]:
    return {field.name: argument(field, variant) for field in least_fields(operation)}


def least_form(operation: Operation[Any], variant: int = 1) -> list[tuple[str, str]]:
    """``least_arguments`` as the form the SDK sends them in."""
    return [
        pair
        for field in least_fields(operation)
        for pair in wire_pairs(field, argument(field, variant))
    ]
