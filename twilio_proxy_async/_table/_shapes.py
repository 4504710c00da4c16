"""The shapes of the table's facts: verbs, APIs, form fields, path SIDs, collections."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Generic, TypeVar

import attrs

__all__ = [
    "ALL_VERBS",
    "Api",
    "Collection",
    "Field",
    "Operation",
    "PathSid",
    "Verb",
]

T = TypeVar("T")


class Verb(Enum):
    """Twilio's five verbs, and what each means on the wire."""

    CREATE = "create"
    FETCH = "fetch"
    UPDATE = "update"
    DELETE = "delete"
    LIST = "list"

    @property
    def http_method(self) -> str:
        return _HTTP_METHODS[self]

    @property
    def on_instance(self) -> bool:
        """Addressed to one record (``.../{Sid}``) rather than to the collection."""
        return self in (Verb.FETCH, Verb.UPDATE, Verb.DELETE)

    @property
    def writes(self) -> bool:
        """Creates, changes or removes a record (create, update, delete)."""
        return self in (Verb.CREATE, Verb.UPDATE, Verb.DELETE)

    @property
    def idempotent(self) -> bool:
        """Safe to send twice: a repeat leaves the same state as one call.

        Fetch and list only read; an update only sets the fields it names; a repeated
        delete finds the record gone. A create may have made its record before the
        connection failed, and a repeat would make a second one.
        """
        return self is not Verb.CREATE


# The status Twilio answers each verb with, unless a collection says otherwise.
_SUCCESS = {Verb.CREATE: 201, Verb.FETCH: 200, Verb.UPDATE: 200, Verb.DELETE: 204, Verb.LIST: 200}

_HTTP_METHODS = {
    Verb.CREATE: "POST",
    Verb.FETCH: "GET",
    Verb.UPDATE: "POST",
    Verb.DELETE: "DELETE",
    Verb.LIST: "GET",
}

ALL_VERBS = frozenset(Verb)


@attrs.frozen
class Api:
    """One Twilio product: its host name and the largest page its listings serve."""

    name: str
    version: str
    max_page_size: int


@attrs.frozen
class Field:
    """One form field: the keyword argument ``name`` sent as ``wire``.

    ``kind`` is str, int, bool, datetime, an Enum class (strict: member or exact value), or
    ``list`` for a repeated field; ``sid`` names the SID prefix a str must carry;
    ``members`` the keys of the JSON object each value of a repeated field is.
    """

    name: str
    wire: str
    kind: type[object]
    required: bool = False
    sid: str | None = None
    members: tuple[Field, ...] = ()


@attrs.frozen
class PathSid:
    """One SID in a path: the argument ``name``, the placeholder ``wire``, its prefix."""

    name: str
    wire: str
    prefix: str

    @property
    def placeholder(self) -> str:
        return "{" + self.wire + "}"


_PLACEHOLDER = re.compile(r"\{\w+\}")


@attrs.frozen(eq=False)  # each entry is one of a kind: compared and hashed by identity
class Collection(Generic[T]):
    """One collection of records and everything the wire says about it."""

    name: str  # unique across products: the export's and the emulator's name for it
    api: Api
    path: str  # the collection's path template, Twilio's placeholder names
    parents: tuple[PathSid, ...]
    prefix: str  # the SID prefix of its records
    model: type[T]
    key: str  # the key a page lists its records under
    verbs: frozenset[Verb] = ALL_VERBS
    create: tuple[Field, ...] = ()
    update: tuple[Field, ...] = ()
    # Fetch takes the SID or the unique name (the spec gives that path parameter no pattern).
    fetch_by_name: bool = False
    # Its records are numbers of the account lent to the parent Service's proxy pool: a
    # create names one by its own SID, an update sets IsReserved, and a number is in at most
    # one Service's pool at a time.
    pool: bool = False
    # Where Twilio's success status differs from the usual 201/200/204 of each verb.
    success: Mapping[Verb, int] = attrs.field(factory=dict)
    # Its name under client.<api.name>; only Chat's "services" differs from ``name``.
    attribute: str = attrs.field()

    _operations: Mapping[Verb, Operation[T]] = attrs.field(init=False, repr=False)

    @attribute.default
    def _attribute(self) -> str:
        return self.name

    @_operations.default
    def _build_operations(self) -> Mapping[Verb, Operation[T]]:
        # Built once: a request looks its operation up rather than making one.
        return {verb: Operation(self, verb) for verb in Verb if verb in self.verbs}

    @property
    def record(self) -> PathSid:
        return PathSid("sid", "Sid", self.prefix)

    @property
    def instance_path(self) -> str:
        return f"{self.path}/{self.record.placeholder}"

    @property
    def instance_path_format(self) -> str:
        """The path of one record with ``{}`` placeholders, for ``str.format``."""
        return _PLACEHOLDER.sub("{}", self.instance_path)

    def field(self, name: str) -> Field:
        """The form field called ``name`` (in Python) on this collection's create or update."""
        for field in (*self.update, *self.create):
            if field.name == name:
                return field
        raise LookupError(f"{self.name} has no form field {name!r}")

    def fields(self, verb: Verb) -> tuple[Field, ...]:
        return {Verb.CREATE: self.create, Verb.UPDATE: self.update}.get(verb, ())

    def operation(self, verb: Verb) -> Operation[T]:
        found = self._operations.get(verb)
        if found is None:
            raise LookupError(f"{self.api.name} {self.name} has no {verb.value}")
        return found

    def operations(self) -> Iterator[Operation[T]]:
        return iter(self._operations.values())


@attrs.frozen
class Operation(Generic[T]):
    """One verb on one collection: the unit a request is made of."""

    collection: Collection[T]
    verb: Verb
    # The path with ``{}`` placeholders, for ``str.format`` (computed once).
    format_path: str = attrs.field(init=False, repr=False, eq=False)

    @format_path.default
    def _format(self) -> str:
        return _PLACEHOLDER.sub("{}", self.path)

    @property
    def method(self) -> str:
        return self.verb.http_method

    @property
    def path(self) -> str:
        """The path template, Twilio's placeholder names (as the OpenAPI spec writes it)."""
        return self.collection.instance_path if self.verb.on_instance else self.collection.path

    @property
    def path_sids(self) -> tuple[PathSid, ...]:
        """The path's SIDs in order: the parents', then the record's for an instance verb."""
        parents = self.collection.parents
        return (*parents, self.collection.record) if self.verb.on_instance else parents

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.collection.fields(self.verb)

    @property
    def idempotent(self) -> bool:
        return self.verb.idempotent

    @property
    def success(self) -> int:
        """The status Twilio answers with (the SDK accepts any 2xx; the emulator sends this)."""
        return self.collection.success.get(self.verb, _SUCCESS[self.verb])

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
