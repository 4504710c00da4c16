"""The Client: the async session manager every resource hangs off."""

from __future__ import annotations

import enum
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Self

import aiohttp
import attrs

from ._config import Origins, resolve_credentials, user_agent
from ._exceptions import ClientClosedError, ConfigurationError
from ._hooks import EventHook, Hooks
from ._http import AiohttpTransport, HTTPTransport
from ._limiter import ConcurrencyLimiter
from ._retry import RetryPolicy
from ._table import CHAT, PROXY
from ._transport import CallOptions, State, Transport
from .resources._base import Product
from .resources.chat_services import ChatServices
from .resources.interactions import Interactions
from .resources.message_interactions import MessageInteractions
from .resources.participants import Participants
from .resources.phone_numbers import PhoneNumbers
from .resources.services import Services
from .resources.sessions import Sessions
from .resources.short_codes import ShortCodes

__all__ = ["ChatV2", "Client", "ProxyV1"]


class ProxyV1:
    """``client.proxy``: the Proxy v1 resources."""

    def __init__(self, product: Product) -> None:
        self.services = Services(product)
        self.sessions = Sessions(product)
        self.participants = Participants(product)
        self.message_interactions = MessageInteractions(product)
        self.interactions = Interactions(product)
        self.phone_numbers = PhoneNumbers(product)
        self.short_codes = ShortCodes(product)


class ChatV2:
    """``client.chat``: the Chat v2 Services a Proxy Service can link to."""

    def __init__(self, product: Product) -> None:
        self.services = ChatServices(product)


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET = _Unset.UNSET


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ConfigurationError(f"{name} must be a positive, finite number of seconds")
    return float(value)


def _optional_seconds(name: str, value: object) -> float | None:
    return None if value is None else _seconds(name, value)


def _check_retries(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ConfigurationError("max_retries must be a non-negative integer")
    return value


class Client:
    """An asyncio client for Twilio Proxy v1 and Chat v2 Services.

    Use ``async with Client() as client`` (or call ``await client.aclose()``); it creates
    its aiohttp session inside the running loop on first use, unless one is lent through
    ``session=``, which it uses and never closes. ``transport=`` replaces aiohttp entirely
    with any ``HTTPTransport`` (a test double, a recorder); the client closes it on exit.

    Args:
        account_sid: the Account SID, ``AC`` followed by 32 hex digits; default: the
            ``TWILIO_ACCOUNT_SID`` environment variable.
        auth_token: the account's auth token; default ``TWILIO_AUTH_TOKEN``. Not needed
            with an API key pair.
        api_key: an API key SID (``SK...``) to authenticate with instead of the auth token,
            together with ``api_secret``; default ``TWILIO_API_KEY``.
        api_secret: that API key's secret; default ``TWILIO_API_SECRET``.
        region: the Twilio region of the hosts (``au1``, ``ie1``, ...), which become
            ``proxy.{edge}.{region}.twilio.com``; default ``TWILIO_REGION``, else Twilio's
            global hosts.
        edge: the Twilio edge location (``sydney``, ``dublin``, ...); default
            ``TWILIO_EDGE``; an edge without a region uses ``us1``.
        base_url: one origin for every product instead of Twilio's hosts, e.g. an emulator
            at ``http://127.0.0.1:8080``; plain ``http`` only for loopback hosts. Default
            ``TWILIO_BASE_URL``, else Twilio's hosts.
        timeout: seconds one request attempt may take, prefetches included; a positive,
            finite number, default 30.
        max_retries: how often a failed request is retried (a 429 always; 5xx answers,
            resets and timeouts only for GET and DELETE); 0 turns retrying off; default 3.
        max_concurrency: the most requests in flight at once across this client,
            prefetches included (the ceiling: the limit adapts below it after 429s); a
            positive integer, default 32. Unused when ``limiter`` is given.
        session: an ``aiohttp.ClientSession`` to borrow (your application's pool): used,
            never closed. Not together with ``transport``.
        limiter: a ``ConcurrencyLimiter`` to share with other clients of the same account,
            so that together they stay under its allowance; default: this client's own,
            from ``max_concurrency``.
        total_timeout: seconds one call may take in all, its attempts, retry waits and the
            wait for a place included; default None: only ``timeout`` bounds each attempt.
        event_hooks: callables by event: ``"request"`` (before each attempt),
            ``"response"`` (after each answer, any status), ``"retry"`` (before each wait);
            each gets a ``RequestEvent``, never a credential; plain or coroutine functions.
        transport: an ``HTTPTransport`` to send through instead of aiohttp (a test double,
            a recorder); closed with the client. Not together with ``session``.

    Raises:
        ConfigurationError: a setting is invalid or credentials are missing.
    """

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        region: str | None = None,
        edge: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        max_concurrency: int = 32,
        session: aiohttp.ClientSession | None = None,
        limiter: ConcurrencyLimiter | None = None,
        total_timeout: float | None = None,
        event_hooks: Mapping[str, Sequence[EventHook]] | None = None,
        transport: HTTPTransport | None = None,
    ) -> None:
        options = CallOptions(
            timeout=_seconds("timeout", timeout),
            retry=RetryPolicy(max_retries=_check_retries(max_retries)),
            total_timeout=_optional_seconds("total_timeout", total_timeout),
        )
        if type(max_concurrency) is not int or max_concurrency < 1:
            raise ConfigurationError("max_concurrency must be a positive integer")
        if limiter is not None and not isinstance(limiter, ConcurrencyLimiter):
            raise ConfigurationError("limiter must be a ConcurrencyLimiter")
        if session is not None and transport is not None:
            raise ConfigurationError("pass session= or transport=, not both")
        hooks = Hooks(event_hooks)
        self._credentials = resolve_credentials(account_sid, auth_token, api_key, api_secret)
        if base_url is None:
            base_url = os.environ.get("TWILIO_BASE_URL") or None
        self._origins = Origins.build(
            region=region if region is not None else os.environ.get("TWILIO_REGION") or None,
            edge=edge if edge is not None else os.environ.get("TWILIO_EDGE") or None,
            base_url=base_url,
        )
        self._http = transport if transport is not None else AiohttpTransport(session)
        self._view = False
        self._attach(
            Transport(
                http=self._http,
                origins=self._origins,
                authorization=self._credentials.authorization(),
                user_agent=user_agent(),
                options=options,
                limiter=limiter if limiter is not None else ConcurrencyLimiter(max_concurrency),
                hooks=hooks,
            )
        )

    def _attach(self, transport: Transport) -> None:
        self._transport = transport
        self.proxy = ProxyV1(Product(transport, self._origins, PROXY))
        self.chat = ChatV2(Product(transport, self._origins, CHAT))

    def with_options(
        self,
        *,
        timeout: float | _Unset = UNSET,
        max_retries: int | _Unset = UNSET,
        total_timeout: float | _Unset | None = UNSET,
    ) -> Client:
        """A view of this client with other per-call settings.

        It shares the session, the limiter, the hooks and the open/closed state: closing
        this client closes the view; closing the view closes nothing (it owns nothing).

        Args:
            timeout: seconds one request attempt may take, a positive, finite number;
                default: this client's.
            max_retries: how often a failed request is retried, 0 or more; default: this
                client's.
            total_timeout: seconds one call may take in all, or None for no such bound;
                default: this client's.

        Raises:
            ConfigurationError: a setting is invalid.
        """
        current = self._transport.options
        options = CallOptions(
            timeout=current.timeout
            if isinstance(timeout, _Unset)
            else _seconds("timeout", timeout),
            retry=current.retry
            if isinstance(max_retries, _Unset)
            else attrs.evolve(current.retry, max_retries=_check_retries(max_retries)),
            total_timeout=current.total_timeout
            if isinstance(total_timeout, _Unset)
            else _optional_seconds("total_timeout", total_timeout),
        )
        view = object.__new__(Client)
        view._credentials = self._credentials
        view._origins = self._origins
        view._http = self._http
        view._view = True
        view._attach(self._transport.with_options(options))
        return view

    @property
    def account_sid(self) -> str:
        return self._credentials.account_sid

    @property
    def limiter(self) -> ConcurrencyLimiter:
        """The in-flight limit this client's requests go through (shared when lent)."""
        return self._transport.limiter

    @property
    def closed(self) -> bool:
        return self._transport.state is not State.OPEN

    def __repr__(self) -> str:
        origins = ", ".join(sorted(set(self._origins.by_product.values())))
        kind = "Client view" if self._view else "Client"
        return (
            f"<{kind} account_sid={self.account_sid!r} origins={origins!r} "
            f"{self._transport.state.value}>"
        )

    async def __aenter__(self) -> Self:
        if self.closed:
            raise ClientClosedError("a closed client cannot be reopened; create a new Client")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close what this client created; a lent session is left open. Safe to call twice.

        On a ``with_options`` view this does nothing: the client it came from owns it all.
        """
        if not self._view:
            await self._transport.aclose()

    def __del__(self) -> None:
        if getattr(self, "_view", True):
            return
        http = getattr(self, "_http", None)
        if isinstance(http, AiohttpTransport) and http.owns_open_session:
            warnings.warn(
                f"{self!r} was never closed: use 'async with Client()' or 'await aclose()'",
                ResourceWarning,
                stacklevel=2,
            )
