"""Pages, their parsing and the cursor: the pure parts of paging, tested without a loop.

The pager that drives them is ``_pagination.AsyncPager``.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Generic, TypeVar

import attrs

__all__ = [
    "PEEK_WINDOW",
    "Cursor",
    "Fetched",
    "Page",
    "PageMeta",
    "RawPage",
    "SeenUrls",
    "parse_page",
    "peek_next_url",
]

T = TypeVar("T")

# How much of a body's start or end is searched for its next-page URL: a meta object with
# its four URLs fits easily. Twilio's list answers put ``meta`` before the records or after
# them (both layouts are in its own bodies; the emulator writes it last), so the body's first
# key tells which end holds it.
PEEK_WINDOW = 8192
_NEXT_KEY = b'"next_page_url":'
_META_FIRST = re.compile(rb'\s*\{\s*"meta"\s*:')


@attrs.frozen(kw_only=True)
class PageMeta:
    """The ``meta`` object of a Twilio list answer.

    Attributes:
        key: the name of the list in the answer (``sessions``, ``services``, ...).
        page: the page's index, counted from 0 (Twilio's client-state value).
        page_size: how many records Twilio puts on a page of this listing.
        url: the URL of this page.
        first_page_url: the URL of the listing's first page.
        previous_page_url: the URL of the page before this one; None on the first page.
        next_page_url: the URL of the page after this one; None on the last page.
    """

    key: str
    page: int | None = None
    page_size: int | None = None
    url: str | None = None
    first_page_url: str | None = None
    previous_page_url: str | None = None
    next_page_url: str | None = None


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a listing: its records and where it sits in the sequence.

    Attributes:
        items: the page's records, as models, in Twilio's order.
        url: the URL this page was fetched from.
        meta: the page's ``meta`` object (``PageMeta``): its position and its neighbours'
            URLs, also reachable as ``page.next_page_url``, ``page.page`` and so on.
    """

    items: Sequence[T]
    url: str
    meta: PageMeta

    @property
    def next_page_url(self) -> str | None:
        return self.meta.next_page_url

    @property
    def previous_page_url(self) -> str | None:
        return self.meta.previous_page_url

    @property
    def page(self) -> int | None:
        return self.meta.page

    @property
    def page_size(self) -> int | None:
        return self.meta.page_size


def _optional_str(meta: Mapping[str, object], name: str) -> str | None:
    value = meta.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"meta.{name} must be a string or null, got {value!r}")


def _optional_int(meta: Mapping[str, object], name: str) -> int | None:
    value = meta.get(name)
    if value is None or type(value) is int:
        return value
    raise ValueError(f"meta.{name} must be an integer or null, got {value!r}")


def parse_page(body: object, default_key: str) -> tuple[list[object], PageMeta]:
    """Split a decoded list answer into its raw records and its meta.

    The records sit under ``meta.key`` (Twilio names it; MessageInteractions use
    ``interactions``), falling back to the resource's usual key when meta omits it.
    Raises ValueError on any other shape: a page is never silently read as empty.
    """
    if not isinstance(body, dict):
        raise ValueError("a list answer must be a JSON object")
    meta = body.get("meta")
    if not isinstance(meta, dict):
        raise ValueError("a list answer must have a 'meta' object")
    key = meta.get("key", default_key)
    if not isinstance(key, str):
        raise ValueError(f"meta.key must be a string, got {key!r}")
    records = body.get(key)
    if not isinstance(records, list):
        raise ValueError(f"a list answer must have a {key!r} array")
    parsed = PageMeta(
        key=key,
        page=_optional_int(meta, "page"),
        page_size=_optional_int(meta, "page_size"),
        url=_optional_str(meta, "url"),
        first_page_url=_optional_str(meta, "first_page_url"),
        previous_page_url=_optional_str(meta, "previous_page_url"),
        next_page_url=_optional_str(meta, "next_page_url"),
    )
    return records, parsed


@attrs.frozen
class Cursor:
    """Where a stopped listing resumes: the page URL and how many of its records were taken.

    Plain strings and ints, so it can be saved as JSON (``to_dict``) and handed back to
    ``resume`` (``from_dict(Cursor, saved)``).

    Attributes:
        page_url: the URL of the page the next record is on, exactly as Twilio gave it (an
            opaque ``PageToken`` included); only followed on the listing's own origin.
        offset: how many records of that page were already taken, 0 or more.
    """

    page_url: str
    offset: int = 0


@attrs.frozen(kw_only=True)
class RawPage(Generic[T]):
    """A fetched page whose models are not built yet: the pipeline's seam.

    Fetching (HTTP, JSON, ``meta``) gives the next URL, so the pager puts that request on
    the wire before it calls ``extract``, which builds the models in order and returns those
    before the first malformed record together with that record's error (else None).
    """

    url: str
    meta: PageMeta
    size: int
    extract: Callable[[], tuple[list[T], Exception | None]]


class Fetched(Generic[T]):
    """A page's answer before its JSON is decoded.

    The pager reads the next URL from ``body`` (``peek_next_url``) to put that request on
    the wire before it calls ``decode``. ``decode`` runs once: its page, or its error, is
    kept, so a prefetch may decode in the background and the pager meets the same outcome.
    """

    __slots__ = ("_decode", "_outcome", "body", "url")

    def __init__(self, url: str, body: bytes, decode: Callable[[], RawPage[T]]) -> None:
        self.url = url
        self.body = body
        self._decode: Callable[[], RawPage[T]] | None = decode
        self._outcome: RawPage[T] | Exception | None = None

    @property
    def decoded(self) -> bool:
        return self._decode is None

    def prepare(self) -> None:
        """Decode now, keeping the page or its error for ``decode``."""
        decode, self._decode = self._decode, None
        if decode is not None:
            try:
                self._outcome = decode()
            except Exception as exc:
                self._outcome = exc

    def decode(self) -> RawPage[T]:
        """The decoded page; raises the error decoding it gave (a ``ResponseValidationError``)."""
        self.prepare()
        outcome = self._outcome
        if isinstance(outcome, Exception):
            raise outcome
        assert outcome is not None
        return outcome


def peek_next_url(body: bytes) -> str | None:
    """The next-page URL as the body's meta names it, without decoding the body: the first
    ``"next_page_url":`` key in the first ``PEEK_WINDOW`` bytes when the body opens with
    ``meta``, else the last one in its final ``PEEK_WINDOW`` bytes. None when there is none,
    it is null, or it holds an escape or a non-ASCII byte.

    Only a guess: a record's own text can contain that key, so the pager checks the guess
    against every rule a next URL must pass before sending it and against the decoded page
    after, and cancels it when they differ.
    """
    opening = _META_FIRST.match(body)
    if opening is not None:
        at = body.find(_NEXT_KEY, opening.end(), opening.end() + PEEK_WINDOW)
    else:
        at = body.rfind(_NEXT_KEY, max(0, len(body) - PEEK_WINDOW))
    if at < 0:
        return None
    at += len(_NEXT_KEY)
    while at < len(body) and body[at] in b" \t\r\n":
        at += 1
    if body[at : at + 1] != b'"':
        return None
    end = body.find(b'"', at + 1)
    if end < 0:
        return None
    value = body[at + 1 : end]
    if b"\\" in value or not value.isascii() or not value:
        return None
    return value.decode("ascii")


class SeenUrls:
    """The page URLs of a listing read lately, to refuse a next-page URL that loops back.

    Bounded (``window`` URLs), so a server handing out fresh URLs forever cannot grow it.
    """

    def __init__(self, window: int) -> None:
        self._order: deque[str] = deque()
        self._members: set[str] = set()
        self._window = window

    def __contains__(self, url: str) -> bool:
        return url in self._members

    def add(self, url: str) -> None:
        if url in self._members:
            return
        if len(self._order) == self._window:
            self._members.discard(self._order.popleft())
        self._order.append(url)
        self._members.add(url)
