"""Documentation in the code: every model field and every enum value is described in its
class docstring (what ``help()`` and IDEs show), and nothing documented is stale."""

from __future__ import annotations

import inspect
import re
from enum import Enum

import attrs
import pytest
from model_support import resource_models

import twilio_proxy_async

ENUMS = [
    exported
    for name in twilio_proxy_async.__all__
    if isinstance(exported := getattr(twilio_proxy_async, name), type)
    and issubclass(exported, Enum)
]
_ENTRY = re.compile(r"^    (\w+): (\S.*)$")


def documented_attributes(doc: str | None) -> dict[str, str]:
    """Name -> description of each entry under a docstring's ``Attributes:`` header."""
    lines = inspect.cleandoc(doc or "").splitlines()
    if "Attributes:" not in lines:
        return {}
    entries: dict[str, str] = {}
    current = None
    for line in lines[lines.index("Attributes:") + 1 :]:
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


def test_the_walk_finds_the_models_and_enums() -> None:
    assert len(resource_models()) >= 7
    assert {enum.__name__ for enum in ENUMS} >= {"SessionStatus", "SessionMode", "WebhookMethod"}


@pytest.mark.parametrize("model", resource_models(), ids=lambda m: m.__name__)
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
