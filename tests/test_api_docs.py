"""Documentation in the code: every parameter of every public resource method, of the
client, of the pager and of the facade's functions is described in its docstring's
``Args:``, every model field and every enum value in its class docstring (what ``help()``
and IDEs show), and nothing documented is stale. The walk finds the resources, models and
enums from the package itself.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from enum import Enum

import attrs
import pytest
from model_support import resource_models

import twilio_proxy_async
import twilio_proxy_async.resources
from twilio_proxy_async import (
    AsyncPager,
    Client,
    Cursor,
    Page,
    PageMeta,
    _hooks,
    _http,
    _limiter,
    testing,
    webhooks,
)
from twilio_proxy_async.resources._base import Resource

ENUMS = [
    exported
    for name in twilio_proxy_async.__all__
    if isinstance(exported := getattr(twilio_proxy_async, name), type)
    and issubclass(exported, Enum)
]
_ENTRY = re.compile(r"^    (\w+): (\S.*)$")
_ROUTE = re.compile(r"^(GET|POST|DELETE) /v[12]/\S+")


def _resource_methods() -> list[tuple[str, Callable[..., object]]]:
    found = []
    package = twilio_proxy_async.resources
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Resource) or cls is Resource or cls.__module__ != info.name:
                continue
            for name, method in inspect.getmembers(cls, inspect.isfunction):
                if not name.startswith("_"):
                    found.append((f"{cls_name}.{name}", method))
    return found


RESOURCE_METHODS = _resource_methods()
FACADE_FUNCTIONS = [
    (name, exported)
    for name in twilio_proxy_async.__all__
    if inspect.isfunction(exported := getattr(twilio_proxy_async, name))
]
# The pager's public surface: its methods a user calls, and the values it hands out.
PAGER_METHODS = [
    (f"AsyncPager.{name}", method)
    for name, method in inspect.getmembers(AsyncPager, inspect.isfunction)
    if not name.startswith("_")
]
VALUE_CLASSES = [*resource_models(), Cursor, Page, PageMeta]
# The client: its constructor's arguments are documented in the class docstring (what
# help(Client) shows first), its other public methods in their own.
CLIENT_METHODS = [
    ("Client.__init__", Client.__init__),
    *(
        (f"Client.{name}", method)
        for name, method in inspect.getmembers(Client, inspect.isfunction)
        if not name.startswith("_")
    ),
]
DOCUMENTED = RESOURCE_METHODS + FACADE_FUNCTIONS + PAGER_METHODS + CLIENT_METHODS


def _doc_of(name: str, method: Callable[..., object]) -> str | None:
    return Client.__doc__ if name == "Client.__init__" else method.__doc__


def documented_attributes(doc: str | None, header: str = "Attributes:") -> dict[str, str]:
    """Name -> description of each entry under a docstring's ``header`` (``Attributes:``)."""
    lines = inspect.cleandoc(doc or "").splitlines()
    if header not in lines:
        return {}
    entries: dict[str, str] = {}
    current = None
    for line in lines[lines.index(header) + 1 :]:
        if line and not line.startswith(" "):
            break
        match = _ENTRY.match(line)
        if match:
            current = match.group(1)
            assert current not in entries, f"{current} is documented twice"
            entries[current] = match.group(2)
        elif line.startswith("        ") and current is not None:
            entries[current] += " " + line.strip()
    return entries


def test_the_walk_finds_the_models_enums_and_methods() -> None:
    assert len(resource_models()) >= 7
    assert {enum.__name__ for enum in ENUMS} >= {"SessionStatus", "SessionMode", "WebhookMethod"}
    names = {name for name, _ in RESOURCE_METHODS}
    assert {"Sessions.create", "Services.list", "ChatServices.update"} <= names
    assert len(names) >= 30
    assert {name for name, _ in FACADE_FUNCTIONS} >= {"to_dict", "from_dict"}
    assert "AsyncPager.resume" in {name for name, _ in PAGER_METHODS}
    assert {"Client.__init__", "Client.with_options"} <= {name for name, _ in CLIENT_METHODS}


@pytest.mark.parametrize(("name", "method"), DOCUMENTED, ids=[n for n, _ in DOCUMENTED])
def test_every_parameter_is_documented(name: str, method: Callable[..., object]) -> None:
    parameters = [p for p in inspect.signature(method).parameters if p != "self"]
    documented = documented_attributes(_doc_of(name, method), "Args:")
    assert sorted(documented) == sorted(parameters), f"{name}: Args: out of step"
    for parameter, text in documented.items():
        assert len(text.split()) >= 4, f"{name}({parameter}) is barely described: {text!r}"


@pytest.mark.parametrize(("name", "method"), RESOURCE_METHODS, ids=[n for n, _ in RESOURCE_METHODS])
def test_every_resource_method_opens_with_its_route(
    name: str, method: Callable[..., object]
) -> None:
    assert _ROUTE.match(inspect.cleandoc(method.__doc__ or "")), name


@pytest.mark.parametrize("model", VALUE_CLASSES, ids=lambda m: m.__name__)
def test_every_model_field_is_documented(model: type[object]) -> None:
    documented = documented_attributes(model.__doc__)
    fields = [field.name for field in attrs.fields(model)]  # type: ignore[misc]
    assert sorted(documented) == sorted(fields), "Attributes: section out of step with fields"
    for name, text in documented.items():
        assert len(text.split()) >= 3, f"{model.__name__}.{name} is barely described: {text!r}"


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_enum_value_says_what_it_means(enum: type[Enum]) -> None:
    documented = documented_attributes(enum.__doc__)
    assert sorted(documented) == sorted(member.name for member in enum)
    for name, text in documented.items():
        assert len(text.split()) >= 2, f"{enum.__name__}.{name} is barely described: {text!r}"


def test_the_parser_sees_a_missing_entry() -> None:
    # The checks above can fail: a docstring lacking a field's entry is caught.
    doc = "A thing.\n\nAttributes:\n    sid: the thing's SID here.\n"
    assert documented_attributes(doc) == {"sid": "the thing's SID here."}
    assert documented_attributes("No section.") == {}


# The rest of the public surface: the transport seam's values and classes, and everything the
# webhooks and testing packages export (from their ``__all__``, so a new name is walked too).
# Constants and type aliases carry no docstring of their own and are left out.
def _exported(module: object, names: list[str]) -> list[tuple[str, object]]:
    found = [(name, getattr(module, name)) for name in names]
    return [(name, obj) for name, obj in found if inspect.isfunction(obj) or inspect.isclass(obj)]


SURFACE = [
    *((name, getattr(_limiter, name)) for name in ("ConcurrencyLimiter",)),
    *((name, getattr(_hooks, name)) for name in ("RequestEvent",)),
    *(
        (name, getattr(_http, name))
        for name in ("HTTPTransport", "AiohttpTransport", "RawResponse", "SendError")
    ),
    *_exported(webhooks, webhooks.__all__),
    *_exported(testing, testing.__all__),
]
SURFACE_CLASSES = [(name, obj) for name, obj in SURFACE if inspect.isclass(obj)]
SURFACE_MODELS = [obj for _, obj in SURFACE_CLASSES if attrs.has(obj)]
# Named tuples (WebhookAnswer) document their fields the same way.
SURFACE_TUPLES = [obj for _, obj in SURFACE_CLASSES if issubclass(obj, tuple)]


def _own_public_methods(cls: type) -> list[tuple[str, Callable[..., object]]]:
    return [
        (f"{cls.__name__}.{name}", method)
        for name, method in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and method.__module__.startswith("twilio_proxy_async")
    ] + [
        # Alternative constructors (``from_form``), bound to the class so ``cls`` is left out.
        (f"{cls.__name__}.{name}", method)
        for name, method in inspect.getmembers(cls, inspect.ismethod)
        if not name.startswith("_") and method.__module__.startswith("twilio_proxy_async")
    ]


# A class's constructor arguments go in the class docstring (as for Client); attrs classes
# document their fields under Attributes: instead.
SURFACE_CALLABLES = [
    *((name, obj) for name, obj in SURFACE if inspect.isfunction(obj)),
    *(
        (f"{name}.__init__", obj)
        for name, obj in SURFACE_CLASSES
        if not attrs.has(obj)
        and "__init__" in vars(obj)
        and not getattr(obj, "_is_protocol", False)
    ),
    *(entry for _, obj in SURFACE_CLASSES for entry in _own_public_methods(obj)),
]


def _surface_signature(name: str, method: Callable[..., object]) -> list[str]:
    target = vars(method)["__init__"] if name.endswith(".__init__") else method
    return [p for p in inspect.signature(target).parameters if p != "self"]


def test_the_walk_finds_the_rest_of_the_surface() -> None:
    names = {name for name, _ in SURFACE}
    assert {"compute_signature", "validate_signature", "TwilioSignatureMiddleware"} <= names
    assert {"Emulator", "BackgroundEmulator", "DemoData", "Faults"} <= names
    assert "IDEMPOTENCY_HEADER" not in names  # a str constant has no docstring of its own
    callables = {name for name, _ in SURFACE_CALLABLES}
    assert {"Emulator.simulate_message", "BackgroundEmulator.simulate_call"} <= callables
    assert {"ConcurrencyLimiter.__init__", "AiohttpTransport.send"} <= callables
    assert "OutOfSessionCallback.from_form" in callables
    assert {model.__name__ for model in SURFACE_MODELS} >= {"RequestEvent", "InteractionCallback"}
    assert [model.__name__ for model in SURFACE_TUPLES] == ["WebhookAnswer"]


@pytest.mark.parametrize(
    ("name", "method"), SURFACE_CALLABLES, ids=[n for n, _ in SURFACE_CALLABLES]
)
def test_every_surface_parameter_is_documented(name: str, method: Callable[..., object]) -> None:
    assert inspect.cleandoc(method.__doc__ or ""), f"{name} has no docstring"
    documented = documented_attributes(method.__doc__, "Args:")
    assert sorted(documented) == sorted(_surface_signature(name, method)), f"{name}: Args:"
    for parameter, text in documented.items():
        assert len(text.split()) >= 4, f"{name}({parameter}) is barely described: {text!r}"


@pytest.mark.parametrize("model", SURFACE_MODELS, ids=lambda m: m.__name__)
def test_every_surface_model_field_is_documented(model: type[object]) -> None:
    test_every_model_field_is_documented(model)


@pytest.mark.parametrize("model", SURFACE_TUPLES, ids=lambda m: m.__name__)
def test_every_named_tuple_field_is_documented(model: type[tuple[object, ...]]) -> None:
    documented = documented_attributes(model.__doc__)
    assert sorted(documented) == sorted(model._fields)  # type: ignore[attr-defined]
    for name, text in documented.items():
        assert len(text.split()) >= 3, f"{model.__name__}.{name} is barely described: {text!r}"
