"""The Client: the async session manager every resource hangs off."""

from __future__ import annotations

import os
import warnings
from types import TracebackType
from typing import Self

import aiohttp

from ._config import Origins, resolve_credentials, user_agent
from ._exceptions import ClientClosedError, ConfigurationError
from ._http import AiohttpTransport, HTTPTransport
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


class Client:
    """An asyncio client for Twilio Proxy v1 and Chat v2 Services.

    Use ``async with Client() as client`` (or call ``await client.aclose()``); it creates
    its aiohttp session inside the running loop on first use, unless one is lent through
    ``session=``, which it uses and never closes. ``transport=`` replaces aiohttp entirely
    with any ``HTTPTransport`` (a test double, a recorder); the client closes it on exit.
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
        transport: HTTPTransport | None = None,
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigurationError("timeout must be a positive number of seconds")
        if type(max_retries) is not int or max_retries < 0:
            raise ConfigurationError("max_retries must be a non-negative integer")
        if type(max_concurrency) is not int or max_concurrency < 1:
            raise ConfigurationError("max_concurrency must be a positive integer")
        if session is not None and transport is not None:
            raise ConfigurationError("pass session= or transport=, not both")
        self._credentials = resolve_credentials(account_sid, auth_token, api_key, api_secret)
        self._origins = Origins.build(
            region=region if region is not None else os.environ.get("TWILIO_REGION") or None,
            edge=edge if edge is not None else os.environ.get("TWILIO_EDGE") or None,
            base_url=base_url,
        )
        self._http = transport if transport is not None else AiohttpTransport(session)
        self._transport = Transport(
            http=self._http,
            origins=self._origins,
            authorization=self._credentials.authorization(),
            user_agent=user_agent(),
            options=CallOptions(timeout=float(timeout), retry=RetryPolicy(max_retries=max_retries)),
            max_concurrency=max_concurrency,
        )
        self.proxy = ProxyV1(Product(self._transport, self._origins, PROXY))
        self.chat = ChatV2(Product(self._transport, self._origins, CHAT))

    @property
    def account_sid(self) -> str:
        return self._credentials.account_sid

    @property
    def closed(self) -> bool:
        return self._transport.state is not State.OPEN

    def __repr__(self) -> str:
        origins = ", ".join(sorted(set(self._origins.by_product.values())))
        return (
            f"<Client account_sid={self.account_sid!r} origins={origins!r} "
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
        """Close what this client created; a lent session is left open. Safe to call twice."""
        await self._transport.aclose()

    def __del__(self) -> None:
        http = getattr(self, "_http", None)
        if isinstance(http, AiohttpTransport) and http.owns_open_session:
            warnings.warn(
                f"{self!r} was never closed: use 'async with Client()' or 'await aclose()'",
                ResourceWarning,
                stacklevel=2,
            )
