"""Looking for a credential everywhere an exception can show one."""

from __future__ import annotations

import base64
import traceback


def leaks(text: str, secret: str, username: str) -> bool:
    """Whether ``text`` shows the secret itself or the Basic credentials built from it."""
    basic = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return secret in text or basic in text or basic[:-4] in text


def reachable_exceptions(error: BaseException) -> list[BaseException]:
    """``error`` and every exception reachable from it: causes, contexts, and exceptions
    held in args or attributes (an aiohttp error keeps others that way)."""
    found: list[BaseException] = []
    stack: list[object] = [error]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BaseException):
            found.append(current)
            stack.extend([current.__cause__, current.__context__, *current.args])
            stack.extend(vars(current).values())
        elif isinstance(current, list | tuple):
            stack.extend(current)
    return found


def exception_text(error: BaseException) -> str:
    """All an exception can show: its formatted traceback with the whole chain, and the
    repr, str, args and attributes of everything reachable from it."""
    parts = ["".join(traceback.format_exception(error))]
    for current in reachable_exceptions(error):
        parts.extend([repr(current), str(current), repr(current.args)])
        for value in vars(current).values():
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else repr(value)
            parts.append(text)
    return "\n".join(parts)
