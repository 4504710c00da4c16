"""Reading the OpenAPI specs for the conformance test: operations, schemas, generated values."""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from twilio_proxy_async.models._common import JSONObject, Links

TIMESTAMP = "2015-07-30T20:00:00Z"
TIMESTAMP_VALUE = datetime(2015, 7, 30, 20, tzinfo=UTC)


@dataclass(frozen=True)
class Operation:
    """One operation of a spec: its path, HTTP method and raw OpenAPI object."""

    product: str
    path: str
    http_method: str
    raw: dict[str, Any] = field(repr=False)
    spec: dict[str, Any] = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"{self.product}:{self.raw['operationId']}"

    @property
    def path_params(self) -> list[dict[str, Any]]:
        params = [p for p in self.raw.get("parameters", []) if p["in"] == "path"]
        return sorted(params, key=lambda p: self.path.index("{" + p["name"] + "}"))

    @property
    def form(self) -> dict[str, Any]:
        body = self.raw.get("requestBody")
        if body is None:
            return {}
        schema = body["content"]["application/x-www-form-urlencoded"]["schema"]
        properties: dict[str, Any] = schema["properties"]
        return properties

    @property
    def success(self) -> tuple[int, dict[str, Any] | None]:
        status, response = next(
            (code, answer) for code, answer in self.raw["responses"].items() if code[0] == "2"
        )
        content = response.get("content", {}).get("application/json")
        return int(status), content["schema"] if content else None

    @property
    def is_list(self) -> bool:
        return self.http_method == "GET" and self.raw["operationId"].startswith("List")


def operations(specs: Mapping[str, dict[str, Any]], chat_paths: Sequence[str]) -> list[Operation]:
    """Every operation of the specs, keeping only ``chat_paths`` of the Chat spec."""
    found = []
    for product, spec in specs.items():
        for path, item in spec["paths"].items():
            if product == "chat" and path not in chat_paths:
                continue
            for method, raw in item.items():
                if method in {"get", "post", "delete", "put", "patch"}:
                    found.append(Operation(product, path, method.upper(), raw, spec))
    return found


def resolve(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return dict(schema)


def _hex_sid(pattern: str) -> str:
    match = re.fullmatch(r"\^(\w\w|\[a-zA-Z\]\{2\})\[0-9a-fA-F\]\{32\}\$", pattern)
    assert match, f"an unfamiliar SID pattern: {pattern}"
    prefix = match.group(1)
    return ("SM" if prefix.startswith("[") else prefix) + "0" * 31 + "1"


def good_sid(pattern: str) -> str:
    return _hex_sid(pattern)


def bad_sid(pattern: str) -> str:
    good = _hex_sid(pattern)
    return good[:-1] + "g"


def normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def wire_value(spec: Mapping[str, Any], name: str, schema: Mapping[str, Any]) -> object:
    """A valid value for a spec property, as JSON carries it (responses) or as an argument."""
    schema = resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            return good_sid(schema["pattern"])
        if schema.get("format") == "date-time":
            return TIMESTAMP
        return f"{name}-value"
    if kind == "integer":
        return 7
    if kind == "boolean":
        return True
    if kind == "array":
        if resolve(spec, schema.get("items", {})).get("type") == "string":
            return [f"{name}-1", f"{name}-2"]
        return [{"identifier": "+15550001111"}]
    if schema.get("format") == "uri-map":
        return {"self": f"https://example.com/{name}"}
    return {"nested": True}


def argument_value(spec: Mapping[str, Any], name: str, schema: Mapping[str, Any]) -> object:
    value = wire_value(spec, name, schema)
    if value == TIMESTAMP:
        return TIMESTAMP_VALUE
    return value


def without_none(annotation: object) -> set[object]:
    return {arg for arg in typing.get_args(annotation) or (annotation,) if arg is not type(None)}


def assert_fits(annotation: object, spec: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """The Python type a spec schema calls for (with None allowed)."""
    schema = resolve(spec, schema)
    members = without_none(annotation)
    if "enum" in schema:
        enums = [m for m in members if isinstance(m, type) and issubclass(m, Enum)]
        assert len(enums) == 1 and members == {enums[0], str}, annotation
        assert {member.value for member in enums[0]} == set(schema["enum"])
        return
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "array":
        (member,) = members
        assert typing.get_origin(member) is Sequence, annotation
        return
    expected: object
    if kind == "string":
        expected = datetime if fmt == "date-time" else str
    elif kind == "integer":
        expected = int
    elif kind == "boolean":
        expected = bool
    elif fmt == "uri-map":
        expected = Links
    else:
        expected = JSONObject
    assert members == {expected}, f"{annotation} does not fit {schema}"


def record_schema(operation: Operation) -> tuple[str | None, dict[str, Any]]:
    """The record schema of an operation's answer, and the list key for a listing."""
    _, schema = operation.success
    assert schema is not None
    if "$ref" in schema:
        return None, resolve(operation.spec, schema)
    (key,) = (name for name in schema["properties"] if name != "meta")
    return key, resolve(operation.spec, schema["properties"][key]["items"])


def generated_record(operation: Operation) -> dict[str, object]:
    _, schema = record_schema(operation)
    return {
        name: wire_value(operation.spec, name, prop) for name, prop in schema["properties"].items()
    }
