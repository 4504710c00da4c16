"""The ``twilio_proxy_async`` logger, and ``TWILIO_PROXY_ASYNC_LOG`` to switch it on.

DEBUG: one line per attempt (method, path and query, status, Twilio-Request-Id, attempt,
elapsed ms). INFO: one line per retry, with its wait. URLs carry no credential (the SDK
refuses base URLs with user info and sends credentials only in a header), and no header or
body is ever logged.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["ENV_VARIABLE", "configure_from_environment", "logger", "path_and_query"]

logger = logging.getLogger("twilio_proxy_async")

ENV_VARIABLE = "TWILIO_PROXY_ASYNC_LOG"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _EnvironmentHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stderr handler the variable attaches; marked so it is attached once."""


def configure_from_environment(environ: Mapping[str, str] | None = None) -> None:
    """Attach a stderr handler at the level ``TWILIO_PROXY_ASYNC_LOG`` names, once."""
    value = (os.environ if environ is None else environ).get(ENV_VARIABLE, "").strip().lower()
    if not value:
        return
    level = _LEVELS.get(value)
    if level is None:
        # Import time is no place to raise; say so where the user is looking.
        print(
            f"twilio_proxy_async: ignoring {ENV_VARIABLE}={value!r} (use 'debug' or 'info')",
            file=sys.stderr,
        )
        return
    if not any(isinstance(handler, _EnvironmentHandler) for handler in logger.handlers):
        handler = _EnvironmentHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(handler)
    logger.setLevel(level)


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
