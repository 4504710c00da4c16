"""What each exported resource's columns hold, read off its model.

The resources are the collections of the SDK's table, so a new table entry is exported with
no change here: its columns, their order and their kinds come from the model's fields and
annotations, and every format (CSV header, SQLite table, Parquet schema, the manifest's
column list) is built from them.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Literal

import attrs

from .._table import COLLECTIONS, Collection

__all__ = [
    "MODELS",
    "PARENT_FIELDS",
    "RESOURCES",
    "TABLES",
    "Column",
    "ColumnKind",
    "columns_of",
]

# text: SIDs, names, phone numbers, enum values; timestamp: ISO-8601 UTC ("...Z");
# json: nested objects and lists, as JSON text where a format has no nested type.
ColumnKind = Literal["text", "integer", "boolean", "timestamp", "json"]

# Every collection of the table, parents first, but the MessageInteractions: they are the
# Interactions again, listed per participant, so exporting both would write each twice.
TABLES: Mapping[str, Collection[Any]] = {
    table.name: table for table in COLLECTIONS if table.name != "message_interactions"
}
MODELS: Mapping[str, type] = {name: table.model for name, table in TABLES.items()}
RESOURCES: tuple[str, ...] = tuple(TABLES)

# The SIDs naming a record's parents: indexed in SQLite, filled in when a record lacks them.
PARENT_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(parent.name for table in TABLES.values() for parent in table.parents)
)


@attrs.frozen
class Column:
    name: str
    kind: ColumnKind


def _kind(annotation: object) -> ColumnKind:
    options = set(typing.get_args(annotation)) if _is_union(annotation) else {annotation}
    options.discard(type(None))
    if options == {datetime}:
        return "timestamp"
    if options == {bool}:
        return "boolean"
    if options == {int}:
        return "integer"
    # A tolerant enum is ``SomeEnum | str``: its values are text either way.
    if options and all(isinstance(t, type) and issubclass(t, str | Enum) for t in options):
        return "text"
    return "json"


def _is_union(annotation: object) -> bool:
    return isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union


_CACHE: dict[str, tuple[Column, ...]] = {}


def columns_of(resource: str) -> tuple[Column, ...]:
    """The resource's columns in the model's field order."""
    cached = _CACHE.get(resource)
    if cached is None:
        model = MODELS[resource]
        hints = typing.get_type_hints(model)
        cached = tuple(Column(f.name, _kind(hints[f.name])) for f in attrs.fields(model))
        _CACHE[resource] = cached
    return cached
