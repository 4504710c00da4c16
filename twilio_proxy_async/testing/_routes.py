"""The routes: every operation of the SDK's table, dispatched to the emulator's handler."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .._table import COLLECTIONS
from ._api_services import HANDLERS as SERVICE_HANDLERS
from ._api_services import Handler
from ._api_sessions import HANDLERS as SESSION_HANDLERS
from ._errors import METHOD_NOT_ALLOWED, ApiError, not_found

__all__ = ["ROUTES", "resolve"]

_PARAM = "{}"
_HANDLERS = {**SERVICE_HANDLERS, **SESSION_HANDLERS}


@attrs.frozen
class _Route:
    segments: tuple[str, ...]
    methods: Mapping[str, Handler]


def _segments(template: str) -> tuple[str, ...]:
    return tuple(_PARAM if s.startswith("{") else s for s in template.strip("/").split("/"))


def _routes() -> tuple[_Route, ...]:
    """One route per path template; a table operation without a handler fails at import."""
    by_path: dict[str, dict[str, Handler]] = {}
    for table in COLLECTIONS:
        for operation in table.operations():
            methods = by_path.setdefault(operation.path, {})
            methods[operation.method] = _HANDLERS[(table.name, operation.verb)]
    return tuple(_Route(_segments(path), methods) for path, methods in by_path.items())


ROUTES = _routes()


def resolve(method: str, segments: tuple[str, ...], path: str) -> tuple[Handler, tuple[str, ...]]:
    """Finds the handler and the path parameters, in template order."""
    for route in ROUTES:
        if len(route.segments) != len(segments):
            continue
        params = []
        for expected, actual in zip(route.segments, segments, strict=True):
            if expected == _PARAM:
                if not actual:
                    break
                params.append(actual)
            elif expected != actual:
                break
        else:
            handler = route.methods.get(method)
            if handler is None:
                raise ApiError(405, METHOD_NOT_ALLOWED, f"Method {method} not allowed on {path}")
            return handler, tuple(params)
    raise not_found(path)
