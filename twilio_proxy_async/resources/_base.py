"""What every resource class shares: turning (method, path, form) into models.

A resource method checks its arguments, builds its path and form, and calls one of
``fetch_one``, ``send``, ``remove`` or ``listing`` here. Bodies become models only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import quote, urlencode

import cattrs

from .. import _json
from .._config import Origins
from .._exceptions import ResponseValidationError
from .._pagination import AsyncPager, Page, parse_page
from .._params import check_limit, check_page_size
from .._record_hooks import record_structurer
from .._transport import Response, Transport

__all__ = ["Product", "Resource"]

T = TypeVar("T")


def _reason(exc: Exception) -> str:
    if isinstance(exc, cattrs.ClassValidationError | cattrs.IterableValidationError):
        leaves = [str(leaf) for leaf in _leaves(exc)]
        return "; ".join(leaves) or str(exc)
    return str(exc) or type(exc).__name__


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        found: list[BaseException] = []
        for inner in exc.exceptions:
            found.extend(_leaves(inner))
        return found
    return [exc]


def _invalid(response: Response, exc: Exception) -> ResponseValidationError:
    return ResponseValidationError(
        _reason(exc),
        method=response.method,
        url=response.url,
        status=response.status,
        body=response.body,
    )


def _decode_json(response: Response) -> object:
    try:
        return _json.loads(response.body)
    except ValueError as exc:
        raise _invalid(response, ValueError(f"not valid JSON: {exc}")) from None
    except RecursionError:
        # The stdlib parser recurses per nesting level; orjson stops at 1024 levels itself.
        raise _invalid(response, ValueError("not valid JSON: nested too deeply")) from None


class Product:
    """One Twilio product (Proxy, Chat) as reached through a client's transport."""

    def __init__(
        self, transport: Transport, origins: Origins, name: str, max_page_size: int
    ) -> None:
        self._transport = transport
        self._origins = origins
        self.name = name
        self.max_page_size = max_page_size

    def url(self, path: str, query: Sequence[tuple[str, str]] = ()) -> str:
        url = self._origins.by_product[self.name] + path
        return f"{url}?{urlencode(query, quote_via=quote)}" if query else url

    def _structure(self, response: Response, data: object, model: type[T]) -> T:
        try:
            return record_structurer(model)(data)
        except Exception as exc:
            raise _invalid(response, exc) from None

    async def fetch_one(self, path: str, model: type[T]) -> T:
        response = await self._transport.request("GET", self.url(path))
        return self._structure(response, _decode_json(response), model)

    async def send(self, path: str, model: type[T], form: Sequence[tuple[str, str]]) -> T:
        """POST a create or update; any 2xx with a record body is accepted (201 or 200)."""
        response = await self._transport.request("POST", self.url(path), form=form)
        return self._structure(response, _decode_json(response), model)

    async def remove(self, path: str) -> None:
        """DELETE; Twilio answers 204, or 200 with an empty body for some resources."""
        await self._transport.request("DELETE", self.url(path))

    def listing(
        self,
        path: str,
        model: type[T],
        key: str,
        *,
        page_size: int | None,
        limit: int | None,
        prefetch: bool,
    ) -> AsyncPager[T]:
        check_page_size(page_size, self.max_page_size)
        check_limit(limit)
        if page_size is None and limit is not None:
            # Twilio's default page is 50; a smaller limit should not pay for 50 records.
            page_size = min(limit, 50)
        query = [("PageSize", str(page_size))] if page_size is not None else []
        structure_record = record_structurer(model)

        async def fetch_page(url: str) -> Page[T]:
            response = await self._transport.request("GET", url)
            body = _decode_json(response)
            try:
                records, meta = parse_page(body, key)
                items = [structure_record(record) for record in records]
            except Exception as exc:
                raise _invalid(response, exc) from None
            return Page(items=items, url=url, meta=meta)

        return AsyncPager(
            fetch_page,
            self.url(path, query),
            follow=lambda url: self._origins.follow(url, self.name),
            limit=limit,
            prefetch=prefetch,
        )


class Resource:
    """Base of the resource classes: holds the product they talk to."""

    def __init__(self, product: Product) -> None:
        self._api = product

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._api.name}>"
