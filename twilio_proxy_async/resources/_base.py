"""What every resource class shares: turning (method, path, form) into models.

A resource method hands its arguments to ``_create``, ``_fetch``, ``_update``, ``_delete``
or ``_list``; its table entry turns them into a checked path and form, and ``Product`` into
one request. Bodies become models only here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar, Generic, TypeVar
from urllib.parse import quote, urlencode

import attrs
import cattrs

from .. import _json
from .._config import Origins
from .._exceptions import PaginationError, ResponseValidationError
from .._pagination import AsyncPager, Fetched, RawPage, parse_page
from .._params import (
    check_identifier,
    check_limit,
    check_page_size,
    check_sid,
    form_items,
    quote_segment,
)
from .._record_hooks import record_structurer
from .._table import Api, Collection, Operation, Verb
from .._transport import Response, Transport
from ..models._common import sid_pattern
from ._docs import document_methods

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

    def __init__(self, transport: Transport, origins: Origins, api: Api) -> None:
        self._transport = transport
        self._origins = origins
        self.name = api.name

    def _follow(self, url: str) -> str:
        """A next-page URL moved onto the configured origin, or the pager's refusal."""
        try:
            return self._origins.follow(url, self.name)
        except ValueError as exc:
            raise PaginationError(str(exc)) from None

    def url(self, path: str, query: Sequence[tuple[str, str]] = ()) -> str:
        url = self._origins.by_product[self.name] + path
        return f"{url}?{urlencode(query, quote_via=quote)}" if query else url

    def _structure(self, response: Response, structure: Callable[[object], T]) -> T:
        data = _decode_json(response)
        try:
            return structure(data)
        except Exception as exc:
            raise _invalid(response, exc) from None

    async def record(
        self, plan: _Plan[T], path: str, form: Sequence[tuple[str, str]] | None = None
    ) -> T:
        """A create, fetch or update: any 2xx with a record body (Twilio answers 201 or 200)."""
        response = await self._transport.request(
            plan.method, self.url(path), form=form, idempotent=plan.idempotent
        )
        return self._structure(response, plan.structure)

    async def remove(self, plan: _Plan[T], path: str) -> None:
        """DELETE; Twilio answers 204, or 200 with an empty body for some resources."""
        await self._transport.request(plan.method, self.url(path), idempotent=plan.idempotent)

    def listing(
        self,
        operation: Operation[T],
        path: str,
        *,
        page_size: int | None,
        limit: int | None,
        prefetch: bool,
    ) -> AsyncPager[T]:
        table = operation.collection
        check_page_size(page_size, table.api.max_page_size)
        check_limit(limit)
        if page_size is None and limit is not None:
            # Twilio's default page is 50; a smaller limit should not pay for 50 records.
            page_size = min(limit, 50)
        query = [("PageSize", str(page_size))] if page_size is not None else []
        structure_record = record_structurer(table.model, owned=True)

        async def fetch_page(url: str, on_sent: Callable[[], None] | None) -> Fetched[T]:
            response = await self._transport.request(operation.method, url, on_sent=on_sent)

            def decode() -> RawPage[T]:
                body = _decode_json(response)
                try:
                    records, meta = parse_page(body, table.key)
                except Exception as exc:
                    raise _invalid(response, exc) from None

                def extract() -> tuple[list[T], Exception | None]:
                    items: list[T] = []
                    append = items.append
                    try:
                        for record in records:
                            append(structure_record(record))
                    except Exception as exc:
                        error = _invalid(response, exc)
                        # Raised later by the pager: keep it as clean as `raise ... from None`.
                        error.__suppress_context__ = True
                        return items, error
                    return items, None

                return RawPage(url=url, meta=meta, size=len(records), extract=extract)

            return Fetched(url, response.body, decode)

        return AsyncPager(
            fetch_page,
            self.url(path, query),
            follow=self._follow,
            limit=limit,
            prefetch=prefetch,
            page_size=page_size,
        )


@attrs.frozen
class _Plan(Generic[T]):
    """What one operation of one resource needs per call, worked out on its first call:
    thousands of concurrent fetches notice the table lookups (a SID path checks in 1.6 us
    instead of 3.8)."""

    operation: Operation[T]
    method: str
    idempotent: bool
    # Just decoded from the body: no one else holds its dicts, so none is copied.
    structure: Callable[[object], T]
    # Per path SID, its pattern's fullmatch, or None for the SID-or-unique-name of a fetch
    # by name.
    matchers: tuple[Callable[[str], object] | None, ...]

    @classmethod
    def of(cls, table: Collection[T], verb: Verb) -> _Plan[T]:
        operation = table.operation(verb)
        sids = operation.path_sids
        by_name = verb is Verb.FETCH and table.fetch_by_name
        matchers = tuple(
            None if by_name and index == len(sids) - 1 else sid_pattern(sid.prefix).fullmatch
            for index, sid in enumerate(sids)
        )
        structure = record_structurer(table.model, owned=True)
        return cls(operation, operation.method, operation.idempotent, structure, matchers)

    def path(self, sids: Sequence[str]) -> str:
        """The checked path: every SID against its prefix, before any request."""
        if len(sids) != len(self.matchers):
            raise ValueError(f"{self.operation} takes {len(self.matchers)} SIDs, got {len(sids)}")
        segments = list(sids)
        for index, match in enumerate(self.matchers):
            value = segments[index]
            if match is None:
                # The SID or unique name: any non-empty string, percent-encoded whole.
                check_identifier(value, "sid_or_unique_name")
                segments[index] = quote_segment(value)
            elif not (type(value) is str and match(value)):
                expected = self.operation.path_sids[index]
                check_sid(value, expected.prefix, expected.name)
        # A SID that matched its pattern is letters and digits: nothing to encode.
        return self.operation.format_path.format(*segments)


class Resource(Generic[T]):
    """Base of the resource classes: the product they talk to and their table entry.

    A subclass names its ``table`` entry and keeps Twilio's verbs as explicit, typed
    methods; each passes its arguments here, where the table decides the path, the SID
    checks and the form. Form values are read by the fields' Python names, so a method
    hands over its own arguments (``locals()``) and a test pins the signature to the table.

    Each method's docstring holds what is its own; what its siblings say alike (the path's
    SIDs, the listing arguments, ``_shared_docs``, the usual Returns and Raises) is added
    when the subclass is made (``_docs.py``).
    """

    table: Collection[T]
    # Descriptions of the arguments several methods of a subclass take, written once.
    _shared_docs: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        document_methods(cls, cls.table, cls._shared_docs)

    def __init__(self, product: Product) -> None:
        self._api = product
        self._plans: dict[Verb, _Plan[T]] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._api.name}>"

    def _plan(self, verb: Verb) -> _Plan[T]:
        plan = self._plans.get(verb)
        if plan is None:
            plan = self._plans[verb] = _Plan.of(self.table, verb)
        return plan

    def _path(self, operation: Operation[T], sids: Sequence[str]) -> str:
        """The checked path: every SID against its prefix, before any request.

        A fetch by SID or unique name takes any non-empty string for the record.
        """
        return self._plan(operation.verb).path(sids)

    def _form(self, verb: Verb, values: Mapping[str, object]) -> list[tuple[str, str]]:
        return form_items(self.table.fields(verb), values)

    async def _create(self, parents: Sequence[str], values: Mapping[str, object]) -> T:
        plan = self._plan(Verb.CREATE)
        where = plan.path(parents)
        return await self._api.record(plan, where, self._form(Verb.CREATE, values))

    async def _fetch(self, parents: Sequence[str], sid: str) -> T:
        plan = self._plan(Verb.FETCH)
        return await self._api.record(plan, plan.path((*parents, sid)))

    async def _update(self, parents: Sequence[str], sid: str, values: Mapping[str, object]) -> T:
        plan = self._plan(Verb.UPDATE)
        where = plan.path((*parents, sid))
        return await self._api.record(plan, where, self._form(Verb.UPDATE, values))

    async def _delete(self, parents: Sequence[str], sid: str) -> None:
        plan = self._plan(Verb.DELETE)
        await self._api.remove(plan, plan.path((*parents, sid)))

    def _list(
        self, parents: Sequence[str], *, page_size: int | None, limit: int | None, prefetch: bool
    ) -> AsyncPager[T]:
        operation = self.table.operation(Verb.LIST)
        return self._api.listing(
            operation,
            self._path(operation, parents),
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
        )
