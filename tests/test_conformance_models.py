"""The models' serializer against Twilio's own response bodies: ``to_dict`` gives each back.

A conformance test: it reads ``../shared`` (through ``shared_support``) and skips without it.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from shared_support import twilio_bodies

import twilio_proxy_async
from twilio_proxy_async import from_dict, to_dict


def _fixture_records() -> list[tuple[str, dict[str, Any]]]:
    records = []
    for entry in twilio_bodies():
        body = entry["body"]
        if not isinstance(body, dict):
            continue
        name = "".join(part.title() for part in entry["resource"].split("_"))
        if "meta" in body:
            key = body["meta"]["key"]
            records += [(name, record) for record in body[key]]
        else:
            records.append((name, body))
    return records


FIXTURES = _fixture_records()


@pytest.mark.parametrize(
    ("name", "body"),
    FIXTURES
    or [pytest.param("", {}, marks=pytest.mark.skip(reason="../shared/fixtures is absent"))],
)
def test_to_dict_gives_back_twilios_own_body(name: str, body: dict[str, Any]) -> None:
    model = getattr(twilio_proxy_async, name, None)
    if model is None:
        pytest.skip(f"no {name} model in this version")
    written = to_dict(from_dict(model, body))
    names = [field.name for field in attrs.fields(model)]
    assert written == {name: body.get(name) for name in names}
    assert from_dict(model, written) == from_dict(model, body)
