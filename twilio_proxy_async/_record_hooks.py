"""Per-model record structurers: a generated fast path in front of the detailed converter.

cattrs calls one hook per field, which made building models the largest cost of streaming a
listing. For each model this module generates one function that does the same checks inline:
exact ``str``/``int``/``bool`` types, aware-UTC datetimes, tolerant enums, string maps
(``links``), the converter's own hooks for other nested objects, and the model's own validators
(SID patterns), called as attrs' ``__init__`` calls them, while the slots are filled directly.
Whenever that fast path raises, the record is handed to the detailed cattrs converter, so an
error names the field exactly as before and the fast path can never accept what the converter
refuses (a property test in ``tests/test_record_hooks.py`` holds them to that).

Why both stay: per Session record of a 1000-record page (callgrind, ``python -m
benchmarks.instructions``), the cattrs converter runs 68,400 instructions, this path 28,500
(37,900 while it stored each slot through its descriptor; 29,300 once ``links`` is frozen,
34,600 while freezing copied it), against 16,800 for orjson to parse
the record (in time on a loaded 2-CPU machine, best of 7: 9.5 us, 2.0 us, 1.1 us). The
converter remains the one place the rules and the error messages are defined, this path
their inlined copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs

from ._converter import (
    _is_string_map,
    _optional_inner,
    _tolerant_enum,
    _union_args,
    converter,
    parse_datetime,
)
from .models._common import FrozenDict, is_sid_check

__all__ = ["record_structurer"]

T = TypeVar("T")

_CACHE: dict[tuple[type[Any], bool], Callable[[object], Any]] = {}
_PRIMITIVES = (str, int, bool)
# What a SID field's memo holds before it has accepted a value: equal to nothing else.
_NOT_YET = object()
# The type of a __slots__ entry's descriptor (what attrs' slotted classes store fields in).
_SLOT = type(type("_Probe", (), {"__slots__": ("probe",)}).__dict__["probe"])


def _string_map_checks(value: str, owned: bool) -> list[str]:
    """The converter's string-map hook inlined: a dict of str values, frozen.

    An ``owned`` dict (freshly decoded, referred to by nothing but the record) is wrapped as
    it is; any other is copied first, so its holder cannot change the model through it.
    """
    data = value if owned else f"{value}.copy()"
    return [
        f"if type({value}) is not dict: raise TypeError",
        f"for item in {value}.values():",
        "    if type(item) is not str: raise TypeError",
        "frozen = new(FrozenDict)",
        f"frozen._data = {data}",
        f"{value} = frozen",
    ]


def _field_lines(
    index: int, field: attrs.Attribute[Any], names: dict[str, object], owned: bool
) -> list[str]:
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
        # A record's timestamps often repeat (an unchanged record's date_updated is its
        # date_created): the same string gives the same immutable datetime, so the last one
        # this record parsed is reused instead of parsed again.
        checks = [
            f"if type({value}) is not str: raise TypeError",
            f"if {value} == stamp: {value} = parsed",
            "else:",
            f"    stamp = {value}",
            f"    {value} = fromisoformat({value})",
            f"    if {value}.tzinfo is not UTC: {value} = parse_datetime({value}.isoformat())",
            f"    parsed = {value}",
        ]
    elif _is_string_map(kind):
        checks = _string_map_checks(value, owned)
    else:
        names[f"hook{index}"] = converter.get_structure_hook(kind)
        names[f"kind{index}"] = kind
        checks = [f"{value} = hook{index}({value}, kind{index})"]
    if not nullable:
        return [f"{value} = {read}", *checks]
    return [f"{value} = {read}", f"if {value} is not None:", *("    " + line for line in checks)]


def _slot_of(model: type[Any], name: str) -> object:
    """What ``name`` resolves to on ``model``'s class (its own or an inherited slot)."""
    for klass in model.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def _fills_slots(model: type[Any], fields: tuple[attrs.Attribute[Any], ...]) -> bool:
    """Whether ``__init__`` only stores each argument and runs its validator, so storing the
    slots directly and calling the same validators builds the same object."""
    if hasattr(model, "__attrs_pre_init__") or hasattr(model, "__attrs_post_init__"):
        return False
    return all(
        f.init and f.converter is None and type(_slot_of(model, f.name)) is _SLOT for f in fields
    )


def _builder(model: type[Any]) -> type[Any]:
    """A subclass of ``model`` adding no slots, with plain attribute assignment.

    Its instances have ``model``'s exact memory layout, so once the slots are filled the
    instance's class is set to ``model`` (CPython allows that between classes of the same
    layout) and nothing of the subclass remains.
    """
    namespace = {
        "__slots__": (),
        # object's own methods, so CPython uses its generic slot store (specialised by the
        # interpreter) instead of the frozen class's refusing __setattr__.
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__module__": __name__,
    }
    return type(f"_Building{model.__name__}", (model,), namespace)


def _construct_lines(
    model: type[Any], fields: tuple[attrs.Attribute[Any], ...], names: dict[str, object]
) -> list[str]:
    if not _fills_slots(model, fields):
        arguments = ", ".join(f"{f.alias}=value{i}" for i, f in enumerate(fields))
        return [f"return model({arguments})"]
    # attrs' __init__ for a frozen class: 16 keyword arguments and 16 object.__setattr__
    # calls cost a Session 2.2 us of its 3.2. Storing through the slot descriptors' __set__
    # took 0.8 us (a wrapper call each); plain assignments on the same-layout builder class,
    # then one class change, take 0.2 us. The validators are the model's own, called as
    # __init__ calls them, on the finished instance of ``model``.
    names["builder"] = _builder(model)
    lines = ["instance = new(builder)"]
    lines += [f"instance.{field.name} = value{index}" for index, field in enumerate(fields)]
    lines.append("instance.__class__ = model")
    for index, field in enumerate(fields):
        if field.validator is None:
            continue
        names[f"check{index}"] = field.validator
        names[f"field{index}"] = field
        check = f"check{index}(instance, field{index}, value{index})"
        if not is_sid_check(field.validator):
            lines.append(check)
            continue
        # A listing's records repeat their parents' SIDs (account, service, session) on
        # every record: a value equal to the last one this field accepted is accepted
        # again without the pattern match (1.96 -> 1.56 us per Session in the prototype).
        # The value is an exact str or None here (its type was checked above); only an
        # accepted value is remembered, so nothing refused is ever let through.
        names[f"last{index}"] = _NOT_YET
        lines += [
            f"if value{index} != last{index}:",
            f"    {check}",
            f"    last{index} = value{index}",
        ]
    return [*lines, "return instance"]


def _generate(
    model: type[T], fallback: Callable[[object], T] | None = None, *, owned: bool = False
) -> Callable[[object], T] | None:
    """The fast function for ``model``, or None when a field is outside what it handles.

    ``owned``: the record's nested dicts belong to nobody else (just decoded from JSON), so
    they may be frozen in place instead of copied.

    With ``fallback``, any exception the fast path raises hands the record to it instead
    (inside the same function: one call per record less than a wrapper).
    """
    attrs.resolve_types(model)  # type: ignore[type-var]
    fields = attrs.fields(model)  # type: ignore[arg-type]
    if any(f.default not in (None, attrs.NOTHING) for f in fields):
        return None
    names: dict[str, object] = {
        "model": model,
        "parse_datetime": parse_datetime,
        "fromisoformat": datetime.fromisoformat,
        "UTC": UTC,
        "fallback": fallback,
        "new": object.__new__,
        "FrozenDict": FrozenDict,
    }
    # stamp/parsed: the last timestamp string this record parsed and its datetime.
    body = ["if type(record) is not dict: raise TypeError", "get = record.get", "stamp = None"]
    memo = [f"last{index}" for index, field in enumerate(fields) if is_sid_check(field.validator)]
    if memo and _fills_slots(model, fields):
        body.insert(0, f"global {', '.join(memo)}")
    for index, field in enumerate(fields):
        body += _field_lines(index, field, names, owned)
    body += _construct_lines(model, fields, names)
    if fallback is not None:
        # The detailed converter either raises the error that names the field, or (never
        # expected) agrees the record is fine; either way its answer stands.
        body = ["try:", *("    " + line for line in body), "except Exception:"]
        body.append("    return fallback(record)")
    source = "def fast(record):\n" + "\n".join("    " + line for line in body)
    exec(compile(source, f"<record structurer for {model.__name__}>", "exec"), names)
    fast: Callable[[object], T] = names["fast"]  # type: ignore[assignment]
    return fast


def record_structurer(model: type[T], *, owned: bool = False) -> Callable[[object], T]:
    """A function turning one decoded JSON record into ``model``, raising as the converter does.

    ``owned=True`` only for a record nothing else refers to (a response body just decoded):
    its nested string maps then become the model's own, uncopied. Without it (``from_dict``,
    any dict a caller still holds) they are copied, so mutating the dict later cannot change
    the frozen model.
    """
    cached = _CACHE.get((model, owned))
    if cached is not None:
        return cached
    hook = converter.get_structure_hook(model)

    def detailed(record: object) -> T:
        if type(record) is not dict:
            kind = type(record).__name__
            raise TypeError(f"expected a JSON object for {model.__name__}, got {kind}")
        return hook(record, model)  # type: ignore[no-any-return]

    structure = _generate(model, detailed, owned=owned) or detailed
    _CACHE[model, owned] = structure
    return structure
