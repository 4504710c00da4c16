"""pytest fixtures for code that uses twilio-proxy-async, loaded by installing the package.

``twilio_emulator`` is a running :class:`~twilio_proxy_async.testing.Emulator` and
``twilio_client`` a :class:`~twilio_proxy_async.Client` bound to it; both are async and
function-scoped, so every test gets a fresh, empty emulator. Options, as keywords:

    @pytest.mark.twilio_emulator(demo=True, faults=Faults(rate_429=0.2), record_requests=True)
    @pytest.mark.twilio_client(max_retries=0, timeout=5.0)
    async def test_something(twilio_client): ...

``twilio_emulator`` takes every keyword :class:`Emulator` takes (``demo=True`` seeds the
default :class:`DemoData`); ``twilio_client`` every keyword :class:`Client` takes besides the
credentials and ``base_url``. The same mappings can come from indirect parametrization:
``@pytest.mark.parametrize("twilio_emulator", [{"demo": True}], indirect=True)``.

This module sits above both the client and the emulator, which never import each other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ._client import Client
from .testing import DemoData, Emulator

try:
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # anyio's pytest plugin runs plain async fixtures; else pytest says why
    _async_fixture = pytest.fixture  # type: ignore[assignment]

__all__ = ["pytest_configure", "twilio_client", "twilio_emulator"]

_EMULATOR_MARK = "twilio_emulator"
_CLIENT_MARK = "twilio_client"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_EMULATOR_MARK}(**options): keyword options for the twilio_emulator fixture "
        "(Emulator's: demo=DemoData(...) or True, faults=Faults(...), record_requests=...)",
    )
    config.addinivalue_line(
        "markers",
        f"{_CLIENT_MARK}(**options): keyword options for the twilio_client fixture "
        "(Client's: timeout=..., max_retries=..., max_concurrency=...)",
    )


def _options(request: pytest.FixtureRequest, mark: str) -> dict[str, Any]:
    """The marker's keywords, overridden by an indirect parameter's mapping."""
    options: dict[str, Any] = {}
    marker = request.node.get_closest_marker(mark)
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{mark} takes keyword options only")
        options.update(marker.kwargs)
    parameter = getattr(request, "param", None)
    if parameter is not None:
        if not isinstance(parameter, dict):
            raise pytest.UsageError(f"an indirect {mark} parameter must be a dict of options")
        options.update(parameter)
    return options


@_async_fixture
async def twilio_emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    """A fresh emulator on 127.0.0.1 for this test, stopped after it."""
    options = _options(request, _EMULATOR_MARK)
    if options.get("demo") is True:
        options["demo"] = DemoData()
    async with Emulator(**options) as emulator:
        yield emulator


@_async_fixture
async def twilio_client(
    request: pytest.FixtureRequest, twilio_emulator: Emulator
) -> AsyncIterator[Client]:
    """A client on ``twilio_emulator`` with its credentials, closed after the test."""
    options = _options(request, _CLIENT_MARK)
    async with Client(
        twilio_emulator.account_sid,
        twilio_emulator.auth_token,
        base_url=twilio_emulator.url,
        **options,
    ) as client:
        yield client
