"""Proxy v1 Services: ``/v1/Services``."""

from __future__ import annotations

from .._pagination import AsyncPager
from .._table import SERVICES
from ..models.service import GeoMatchLevel, NumberSelectionBehavior, Service
from ._base import Resource

__all__ = ["Services"]


class Services(Resource[Service]):
    """Create, fetch, update, delete and list Proxy Services."""

    table = SERVICES

    async def create(
        self,
        *,
        unique_name: str,
        default_ttl: int | None = None,
        callback_url: str | None = None,
        geo_match_level: GeoMatchLevel | str | None = None,
        number_selection_behavior: NumberSelectionBehavior | str | None = None,
        intercept_callback_url: str | None = None,
        out_of_session_callback_url: str | None = None,
        chat_instance_sid: str | None = None,
    ) -> Service:
        """POST /v1/Services

        Create a Proxy Service. Arguments left as None are not sent and Twilio applies its
        defaults.

        Args:
            unique_name: your name for the Service: at most 191 characters, unique in the account
                (keep personal data out of it); it can stand for the SID in ``fetch``.
            default_ttl: seconds a Session of this Service stays open after its creation or its last
                Interaction when it sets no ``ttl`` of its own; 0 (Twilio's default) means no limit.
            callback_url: the URL Twilio calls whenever an Interaction's status changes.
            geo_match_level: how close to a participant a proxy number must be: a ``GeoMatchLevel``
                or its value (``area-code``, ``overlay``, ``radius``, ``country``); Twilio's default
                is ``country``.
            number_selection_behavior: whether Proxy reuses a participant's earlier proxy number: a
                ``NumberSelectionBehavior`` or its value (``prefer-sticky``, ``avoid-sticky``).
            intercept_callback_url: the URL Twilio calls before each Interaction; answering 403
                blocks it.
            out_of_session_callback_url: the URL Twilio calls when a call or message reaches a proxy
                number outside any open Session; the TwiML it answers is executed.
            chat_instance_sid: a Chat v2 Service (``IS`` followed by 32 hex digits) that Proxy
                forwards SMS and channel messages to; one per Proxy Service.

        Returns:
            The new ``Service``.

        Raises:
            InvalidParameterError: an argument is malformed (a SID, an enum value, a type); nothing
                was sent.
        """
        return await self._create((), locals())

    async def fetch(self, sid_or_unique_name: str) -> Service:
        """GET /v1/Services/{Sid} (the SID or the unique name)

        Args:
            sid_or_unique_name: the Service's SID (``KS...``) or its ``unique_name``; any non-empty
                string, sent percent-encoded.

        Returns:
            The ``Service``.

        Raises:
            InvalidParameterError: the argument is empty or not a string; nothing was sent.
            NotFoundError: there is no such Service.
        """
        return await self._fetch((), sid_or_unique_name)

    async def update(
        self,
        sid: str,
        *,
        unique_name: str | None = None,
        default_ttl: int | None = None,
        callback_url: str | None = None,
        geo_match_level: GeoMatchLevel | str | None = None,
        number_selection_behavior: NumberSelectionBehavior | str | None = None,
        intercept_callback_url: str | None = None,
        out_of_session_callback_url: str | None = None,
        chat_instance_sid: str | None = None,
    ) -> Service:
        """POST /v1/Services/{Sid}

        Change a Service's settings; only the arguments given (not None) are sent, the others
        keep their current values.

        Args:
            sid: the Service, ``KS`` followed by 32 hex digits.
            unique_name: your name for the Service: at most 191 characters, unique in the account
                (keep personal data out of it); it can stand for the SID in ``fetch``.
            default_ttl: seconds a Session of this Service stays open after its creation or its last
                Interaction when it sets no ``ttl`` of its own; 0 (Twilio's default) means no limit.
            callback_url: the URL Twilio calls whenever an Interaction's status changes.
            geo_match_level: how close to a participant a proxy number must be: a ``GeoMatchLevel``
                or its value (``area-code``, ``overlay``, ``radius``, ``country``); Twilio's default
                is ``country``.
            number_selection_behavior: whether Proxy reuses a participant's earlier proxy number: a
                ``NumberSelectionBehavior`` or its value (``prefer-sticky``, ``avoid-sticky``).
            intercept_callback_url: the URL Twilio calls before each Interaction; answering 403
                blocks it.
            out_of_session_callback_url: the URL Twilio calls when a call or message reaches a proxy
                number outside any open Session; the TwiML it answers is executed.
            chat_instance_sid: a Chat v2 Service (``IS`` followed by 32 hex digits) that Proxy
                forwards SMS and channel messages to; one per Proxy Service.

        Returns:
            The updated ``Service``.

        Raises:
            InvalidParameterError: an argument is malformed (a SID, an enum value, a type); nothing
                was sent.
            NotFoundError: there is no such Service.
        """
        return await self._update((), sid, locals())

    async def delete(self, sid: str) -> None:
        """DELETE /v1/Services/{Sid}

        Delete a Service for good.

        Args:
            sid: the Service, ``KS`` followed by 32 hex digits.

        Raises:
            InvalidParameterError: a SID is malformed; nothing was sent.
            NotFoundError: there is no such Service.
        """
        await self._delete((), sid)

    def list(
        self, *, page_size: int | None = None, limit: int | None = None, prefetch: bool = True
    ) -> AsyncPager[Service]:
        """GET /v1/Services

        Every Proxy Service of the account.

        Args:
            page_size: records per request to Twilio, 1 to 1000. Default None: Twilio's own page
                size (50), or ``limit`` when a smaller ``limit`` is given.
            limit: the most Services to yield in all, a positive integer. Default None: every one.
            prefetch: whether the next page is requested while you work on the current one (default
                True); False requests each page only when it is needed.

        Returns:
            An ``AsyncPager``: ``async for`` over it (no ``await`` before), ``.pages()`` for whole
            pages, ``.cursor`` and ``resume()`` to continue a stopped listing.

        Raises:
            InvalidParameterError: ``page_size`` or ``limit`` is out of range; nothing was sent.
        """
        return self._list((), page_size=page_size, limit=limit, prefetch=prefetch)
