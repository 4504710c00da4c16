"""Per-model record structurers: a generated fast path in front of the detailed converter.

cattrs calls one hook per field, which made building models the largest cost of streaming a
listing (about 60% of client CPU on 1000-record pages). For each model this module generates
one function that does the same checks inline: exact ``str``/``int``/``bool`` types, aware-UTC
datetimes, tolerant enums, the same hooks for nested objects, and the model's own validators
(SID patterns) through its ``__init__``. Whenever that fast path raises, the record is handed
to the detailed cattrs converter, so an error names the field exactly as before and the fast
path can never accept what the converter refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs

from ._converter import (
    _optional_inner,
    _tolerant_enum,
    _union_args,
    converter,
    parse_datetime,
)

__all__ = ["record_structurer"]

T = TypeVar("T")

_CACHE: dict[type[Any], Callable[[object], Any]] = {}
_PRIMITIVES = (str, int, bool)


def _field_lines(index: int, field: attrs.Attribute[Any], names: dict[str, object]) -> list[str]:
    """Source lines that read field ``index`` from ``record`` into ``value{index}``."""
    value = f"value{index}"
    kind: Any = field.type
    required = field.default is attrs.NOTHING
    read = f"record[{field.name!r}]" if required else f"get({field.name!r})"
    nullable = type(None) in _union_args(kind)
    inner = _optional_inner(kind)
    if inner is not None:
        kind = inner
    enum = _tolerant_enum(field.type)
    if enum is not None:
        names[f"members{index}"] = {member.value: member for member in enum}
        checks = [
            f"if type({value}) is not str: raise TypeError",
            f"{value} = members{index}.get({value}, {value})",
        ]
    elif kind in _PRIMITIVES:
        names[f"kind{index}"] = kind
        checks = [f"if type({value}) is not kind{index}: raise TypeError"]
    elif kind is datetime:
        # parse_datetime inlined for Twilio's "...Z" form; any other offset goes through it.
        checks = [
            f"if type({value}) is not str: raise TypeError",
            f"{value} = fromisoformat({value})",
            f"if {value}.tzinfo is not UTC: {value} = parse_datetime({value}.isoformat())",
        ]
    else:
        names[f"hook{index}"] = converter.get_structure_hook(kind)
        names[f"kind{index}"] = kind
        checks = [f"{value} = hook{index}({value}, kind{index})"]
    if not nullable:
        return [f"{value} = {read}", *checks]
    return [f"{value} = {read}", f"if {value} is not None:", *("    " + line for line in checks)]


def _generate(model: type[T]) -> Callable[[object], T] | None:
    """The fast function for ``model``, or None when a field is outside what it handles."""
    attrs.resolve_types(model)  # type: ignore[type-var]
    fields = attrs.fields(model)  # type: ignore[arg-type]
    if any(f.default not in (None, attrs.NOTHING) for f in fields):
        return None
    names: dict[str, object] = {
        "model": model,
        "parse_datetime": parse_datetime,
        "fromisoformat": datetime.fromisoformat,
        "UTC": UTC,
    }
    body = ["if type(record) is not dict: raise TypeError", "get = record.get"]
    for index, field in enumerate(fields):
        body += _field_lines(index, field, names)
    arguments = ", ".join(f"{f.alias}=value{i}" for i, f in enumerate(fields))
    body.append(f"return model({arguments})")
    source = "def fast(record):\n" + "\n".join("    " + line for line in body)
    exec(compile(source, f"<record structurer for {model.__name__}>", "exec"), names)
    fast: Callable[[object], T] = names["fast"]  # type: ignore[assignment]
    return fast


def record_structurer(model: type[T]) -> Callable[[object], T]:
    """A function turning one decoded JSON record into ``model``, raising as the converter does."""
    cached = _CACHE.get(model)
    if cached is not None:
        return cached
    hook = converter.get_structure_hook(model)

    def detailed(record: object) -> T:
        if type(record) is not dict:
            kind = type(record).__name__
            raise TypeError(f"expected a JSON object for {model.__name__}, got {kind}")
        return hook(record, model)  # type: ignore[no-any-return]

    fast = _generate(model)
    if fast is None:
        structure = detailed
    else:
        generated = fast

        def structure(record: object) -> T:
            try:
                return generated(record)
            except Exception:
                # The detailed converter either raises the error that names the field, or
                # (never expected) agrees the record is fine; either way its answer stands.
                return detailed(record)

    _CACHE[model] = structure
    return structure
