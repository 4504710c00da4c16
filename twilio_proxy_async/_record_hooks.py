"""Per-model record structurers: a generated fast path in front of the detailed converter.

cattrs calls one hook per field, which made building models the largest cost of streaming a
listing. For each model this module generates one function that does the same checks inline:
exact ``str``/``int``/``bool`` types, aware-UTC datetimes, tolerant enums, the converter's own
hooks for nested objects, and the model's own validators (SID patterns), called as attrs'
``__init__`` calls them, while the slots are filled directly. Whenever that fast path raises,
the record is handed to the detailed cattrs converter, so an error names the field exactly as
before and the fast path can never accept what the converter refuses (a property test in
``tests/test_record_hooks.py`` holds them to that).

Why both stay: per Session record (1000-record page, best of 5, 2 CPUs), the cattrs converter
takes 4.4 us, this path 2.4 us, against 0.9 us for orjson to parse it; the converter remains
the one place the rules and the error messages are defined, this path their inlined copy.
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
# The type of a __slots__ entry's descriptor (what attrs' slotted classes store fields in).
_SLOT = type(type("_Probe", (), {"__slots__": ("probe",)}).__dict__["probe"])


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


def _fills_slots(model: type[Any], fields: tuple[attrs.Attribute[Any], ...]) -> bool:
    """Whether ``__init__`` only stores each argument and runs its validator, so storing the
    slots directly and calling the same validators builds the same object."""
    if hasattr(model, "__attrs_pre_init__") or hasattr(model, "__attrs_post_init__"):
        return False
    return all(
        f.init and f.converter is None and type(vars(model).get(f.name)) is _SLOT for f in fields
    )


def _construct_lines(
    model: type[Any], fields: tuple[attrs.Attribute[Any], ...], names: dict[str, object]
) -> list[str]:
    if not _fills_slots(model, fields):
        arguments = ", ".join(f"{f.alias}=value{i}" for i, f in enumerate(fields))
        return [f"return model({arguments})"]
    # attrs' __init__ for a frozen class: 16 keyword arguments and 16 object.__setattr__
    # calls cost a Session 2.2 us of its 3.2; setting the slots through their descriptors
    # takes 1.0 us. The validators are the model's own, called as __init__ calls them.
    names["new"] = object.__new__
    lines = ["instance = new(model)"]
    for index, field in enumerate(fields):
        names[f"store{index}"] = vars(model)[field.name].__set__
        lines.append(f"store{index}(instance, value{index})")
    for index, field in enumerate(fields):
        if field.validator is not None:
            names[f"check{index}"] = field.validator
            names[f"field{index}"] = field
            lines.append(f"check{index}(instance, field{index}, value{index})")
    return [*lines, "return instance"]


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
    body += _construct_lines(model, fields, names)
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
