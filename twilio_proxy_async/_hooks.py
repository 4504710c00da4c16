"""Event hooks: the caller's functions, told about each attempt, answer and retry.

``Client(event_hooks={"request": [...], "response": [...], "retry": [...]})``. A hook is a
plain function or a coroutine function taking one ``RequestEvent``; what it returns is
ignored (a coroutine is awaited), and what it raises reaches the caller of the request.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence

import attrs

from ._exceptions import ConfigurationError, TwilioError

__all__ = ["HOOK_NAMES", "EventHook", "Hooks", "RequestEvent"]

HOOK_NAMES = ("request", "response", "retry")


@attrs.frozen(kw_only=True)
class RequestEvent:
    """One moment of one request. Never holds a credential: no headers, no body.

    ``attempt`` counts from 1. ``status``, ``request_id`` (``Twilio-Request-Id``) and
    ``elapsed`` (seconds) are set once an answer came; ``error`` on a retry is the failure
    being retried, and ``wait`` the seconds before the next attempt.

    Attributes:
        method: the HTTP method of the request (``GET``, ``POST`` or ``DELETE``).
        url: the absolute URL requested, query included (credentials are never in it).
        attempt: which attempt this is, 1 for the first send, 2 for the first retry, and so on.
        status: the HTTP status of the answer; None before one came or when none came.
        request_id: Twilio's ``Twilio-Request-Id`` for the answer (``RQ...``), when it sent one.
        elapsed: seconds from sending the attempt to its answer; None before an answer.
        error: on a ``retry`` event, the failure being retried (a ``TwilioError``); else None.
        wait: on a ``retry`` event, the seconds slept before the next attempt; else None.
    """

    method: str
    url: str
    attempt: int
    status: int | None = None
    request_id: str | None = None
    elapsed: float | None = None
    error: TwilioError | None = None
    wait: float | None = None


EventHook = Callable[[RequestEvent], object]


class Hooks:
    """The validated hooks of one client, called in the order given."""

    def __init__(self, hooks: Mapping[str, Sequence[EventHook]] | None = None) -> None:
        self._by_name: dict[str, tuple[EventHook, ...]] = {name: () for name in HOOK_NAMES}
        if hooks is not None:
            self._add(hooks)

    def _add(self, hooks: Mapping[str, Sequence[EventHook]]) -> None:
        if not isinstance(hooks, Mapping):
            raise ConfigurationError("event_hooks must map 'request'/'response'/'retry' to lists")
        for name, functions in hooks.items():
            if name not in self._by_name:
                raise ConfigurationError(
                    f"unknown event hook {name!r}: use 'request', 'response' or 'retry'"
                )
            if isinstance(functions, str | bytes) or not isinstance(functions, Sequence):
                raise ConfigurationError(f"event_hooks[{name!r}] must be a list of callables")
            if not all(callable(function) for function in functions):
                raise ConfigurationError(f"event_hooks[{name!r}] holds something not callable")
            self._by_name[name] = tuple(functions)

    async def emit(self, name: str, event: RequestEvent) -> None:
        for function in self._by_name[name]:
            result = function(event)
            if inspect.isawaitable(result):
                await result

    def wants(self, name: str) -> bool:
        return bool(self._by_name[name])
