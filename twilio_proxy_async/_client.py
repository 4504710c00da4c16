"""The Client: the async session manager every resource hangs off."""

from __future__ import annotations

import asyncio
import os
import warnings
from types import TracebackType
from typing import Self

import aiohttp

from ._config import Origins, resolve_credentials, user_agent
from ._exceptions import ClientClosedError, ConfigurationError
from ._retry import RetryPolicy
from ._transport import SENT_TRACE, Transport
from .resources._base import Product
from .resources.chat_services import ChatServices
from .resources.interactions import Interactions
from .resources.message_interactions import MessageInteractions
from .resources.participants import Participants
from .resources.phone_numbers import PhoneNumbers
from .resources.services import Services
from .resources.sessions import Sessions

__all__ = ["ChatV2", "Client", "ProxyV1"]

PROXY_MAX_PAGE_SIZE = 1000
CHAT_MAX_PAGE_SIZE = 100


class ProxyV1:
    """``client.proxy``: the Proxy v1 resources."""

    def __init__(self, product: Product) -> None:
        self.services = Services(product)
        self.sessions = Sessions(product)
        self.participants = Participants(product)
        self.message_interactions = MessageInteractions(product)
        self.interactions = Interactions(product)
        self.phone_numbers = PhoneNumbers(product)


class ChatV2:
    """``client.chat``: the Chat v2 Services a Proxy Service can link to."""

    def __init__(self, product: Product) -> None:
        self.services = ChatServices(product)


class Client:
    """An asyncio client for Twilio Proxy v1 and Chat v2 Services.

    Use ``async with Client() as client`` (or call ``await client.aclose()``); it creates
    its aiohttp session inside the running loop on first use, unless one is lent through
    ``session=``, which it uses and never closes.
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
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigurationError("timeout must be a positive number of seconds")
        if type(max_retries) is not int or max_retries < 0:
            raise ConfigurationError("max_retries must be a non-negative integer")
        if type(max_concurrency) is not int or max_concurrency < 1:
            raise ConfigurationError("max_concurrency must be a positive integer")
        self._credentials = resolve_credentials(account_sid, auth_token, api_key, api_secret)
        self._origins = Origins.build(
            region=region if region is not None else os.environ.get("TWILIO_REGION") or None,
            edge=edge if edge is not None else os.environ.get("TWILIO_EDGE") or None,
            base_url=base_url,
        )
        self._borrowed = session
        self._own: aiohttp.ClientSession | None = None
        self._opening: asyncio.Lock | None = None
        self._closed = False
        self._transport = Transport(
            session=self._session,
            origins=self._origins,
            authorization=self._credentials.authorization(),
            user_agent=user_agent(),
            timeout=float(timeout),
            retry=RetryPolicy(max_retries=max_retries),
            max_concurrency=max_concurrency,
        )
        self.proxy = ProxyV1(Product(self._transport, self._origins, "proxy", PROXY_MAX_PAGE_SIZE))
        self.chat = ChatV2(Product(self._transport, self._origins, "chat", CHAT_MAX_PAGE_SIZE))

    @property
    def account_sid(self) -> str:
        return self._credentials.account_sid

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        origins = ", ".join(sorted(set(self._origins.by_product.values())))
        return f"<Client account_sid={self.account_sid!r} origins={origins!r} {state}>"

    async def _session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this client is closed; create a new Client")
        if self._borrowed is not None:
            return self._borrowed
        if self._own is None:
            # A session belongs to the loop it was made in, so it is made lazily, here.
            self._own = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=0),
                # Redirects are never followed (see Transport); cookies have no use here.
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
                # Tells the pager when a prefetch is on the wire (see Transport.request).
                trace_configs=[SENT_TRACE],
            )
        return self._own

    async def __aenter__(self) -> Self:
        if self._closed:
            raise ClientClosedError("a closed client cannot be reopened; create a new Client")
        await self._session()
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
        self._closed = True
        self._transport.closed = True
        own, self._own = self._own, None
        if own is not None:
            await own.close()

    def __del__(self) -> None:
        if getattr(self, "_own", None) is not None and not self._closed:
            warnings.warn(
                f"{self!r} was never closed: use 'async with Client()' or 'await aclose()'",
                ResourceWarning,
                stacklevel=2,
            )
