"""The simulation over HTTP, under ``/_emulator/``: a path Twilio never serves, so an app in
any language can drive the emulator's Proxy flow with the credentials it already has.

``POST /_emulator/simulate/message`` (form ``From``, ``To``, ``Body``),
``POST /_emulator/simulate/call`` (form ``From``, ``To``): answer
``{"outcome": ..., "interaction": {...} | null, "delivery": {...} | null}``.
``GET /_emulator/delivered``: ``{"delivered": [...]}``, everything delivered so far.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .._table import Field
from ._callbacks import SimulationError
from ._errors import METHOD_NOT_ALLOWED, ApiError, Reply, invalid, not_found
from ._forms import Form
from ._records import Site
from ._simulate import Delivery, Kind, SimulationResult

PREFIX = "/_emulator/"
# The emulator's own endpoints' form fields (Twilio's names for an inbound message).
_FROM = Field("from_", "From", str, required=True)
_TO = Field("to", "To", str, required=True)
_BODY = Field("body", "Body", str, required=True)

Run = Callable[[Kind, str, str, "str | None"], Awaitable[SimulationResult]]


def delivery_dict(delivery: Delivery) -> dict[str, Any]:
    return {
        "kind": delivery.kind,
        "from": delivery.from_,
        "to": delivery.to,
        "body": delivery.body,
        "session_sid": delivery.session_sid,
        "interaction_sid": delivery.interaction_sid,
        "participant_sid": delivery.participant_sid,
    }


async def simulation_reply(
    method: str,
    path: str,
    form: Sequence[tuple[str, str]],
    *,
    run: Run,
    delivered: Sequence[Delivery],
    site: Site,
) -> Reply:
    try:
        return await _answer(method, path, Form(form), run, delivered, site)
    except ApiError as error:
        return Reply(error.status, error.body())


async def _answer(
    method: str,
    path: str,
    form: Form,
    run: Run,
    delivered: Sequence[Delivery],
    site: Site,
) -> Reply:
    action = path[len(PREFIX) :]
    kinds: dict[str, Kind] = {"simulate/message": "message", "simulate/call": "call"}
    if action == "delivered":
        _allow(method, "GET", path)
        listed = [delivery_dict(d) for d in delivered]
        return Reply(200, json.dumps({"delivered": listed}).encode())
    kind = kinds.get(action)
    if kind is None:
        raise not_found(path)
    _allow(method, "POST", path)
    from_, to = form.required(_FROM), form.required(_TO)
    body = form.required(_BODY) if kind == "message" else None
    try:
        result = await run(kind, from_, to, body)
    except SimulationError as error:
        raise invalid(str(error)) from None
    answer = {
        "outcome": result.outcome,
        "interaction": None if result.interaction is None else result.interaction.to_dict(site),
        "delivery": None if result.delivery is None else delivery_dict(result.delivery),
    }
    return Reply(200, json.dumps(answer).encode())


def _allow(method: str, allowed: str, path: str) -> None:
    if method != allowed:
        raise ApiError(405, METHOD_NOT_ALLOWED, f"Method {method} not allowed on {path}")
