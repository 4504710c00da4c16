"""What each exported resource's columns hold, read off its model.

One entry in ``MODELS`` is all a new resource needs here: its columns, their order and
their kinds come from the model's fields and annotations, and every format (CSV header,
SQLite table, Parquet schema, the manifest's column list) is built from them.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Literal

import attrs

from ..models.chat_service import ChatService
from ..models.interaction import Interaction
from ..models.participant import Participant
from ..models.phone_number import PhoneNumber
from ..models.service import Service
from ..models.session import Session

__all__ = ["MODELS", "PARENT_FIELDS", "RESOURCES", "Column", "ColumnKind", "columns_of"]

# text: SIDs, names, phone numbers, enum values; timestamp: ISO-8601 UTC ("...Z");
# json: nested objects and lists, as JSON text where a format has no nested type.
ColumnKind = Literal["text", "integer", "boolean", "timestamp", "json"]

MODELS: Mapping[str, type] = {
    "services": Service,
    "phone_numbers": PhoneNumber,
    "sessions": Session,
    "participants": Participant,
    "interactions": Interaction,
    "chat_services": ChatService,
}

RESOURCES: tuple[str, ...] = tuple(MODELS)

# The SIDs naming a record's parents: indexed in SQLite, filled in when a record lacks them.
PARENT_FIELDS = ("service_sid", "session_sid")


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
