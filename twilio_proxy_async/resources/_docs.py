"""What every resource method's docstring says alike, written once, from the table's facts.

A method's own docstring holds its route, what it does, and the arguments only it takes.
This completes it with what every method of its kind says: the SIDs in its path (prefix
from the table), the listing arguments (the page maximum from the table), the arguments a
resource's create and update share, and the usual ``Returns`` and ``Raises``. What the
docstring says itself wins.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any

from .._docstrings import with_entries, with_section
from .._table import COLLECTIONS, Collection, PathSid, Verb

__all__ = ["document_methods"]

# How the docs name a record: its model's name in words ("MessageInteraction" ->
# "Message Interaction"), except the two kinds of Service, which the docs tell apart by
# product.
_NOUNS = {"services": "Proxy Service", "chat_services": "Chat Service"}

_PREFETCH = (
    "whether the next page is requested while you work on the current one (default True); "
    "False requests each page only when it is needed."
)
_PAGER = (
    "An ``AsyncPager`` of ``{model}``: ``async for`` over it (no ``await`` before), "
    "``.pages()`` for whole pages, ``.cursor`` and ``resume()`` to continue a stopped listing."
)
_MALFORMED = "an argument is malformed (a SID, an enum value, a type); nothing was sent."


def _noun(table: Collection[Any]) -> str:
    named = _NOUNS.get(table.name)
    if named is not None:
        return named
    return re.sub(r"(?<!^)(?=[A-Z])", " ", table.model.__name__)


def _owner(table: Collection[Any], sid: PathSid) -> Collection[Any]:
    """The collection whose records a path SID names (the table itself for ``sid``)."""
    if sid.name == "sid":
        return table
    (found,) = (c for c in COLLECTIONS if c.api == table.api and c.prefix == sid.prefix)
    return found


def _argument_docs(table: Collection[Any], verb: Verb) -> dict[str, str]:
    noun = _noun(table)
    docs = {
        sid.name: f"the {_noun(_owner(table, sid))}, ``{sid.prefix}`` followed by 32 hex digits."
        for sid in table.operation(verb).path_sids
    }
    docs["sid_or_unique_name"] = (
        f"the {noun}'s SID (``{table.prefix}...``) or its ``unique_name``; any non-empty "
        "string, sent percent-encoded."
    )
    docs["page_size"] = (
        f"records per request to Twilio, 1 to {table.api.max_page_size}. Default None: "
        "Twilio's own page size (50), or ``limit`` when a smaller ``limit`` is given."
    )
    docs["limit"] = (
        f"the most {noun}s to yield in all, a positive integer. Default None: every one."
    )
    docs["prefetch"] = _PREFETCH
    return docs


def _usual_sections(table: Collection[Any], verb: Verb) -> dict[str, list[str]]:
    model, noun = table.model.__name__, _noun(table)
    # A pool member is looked for in the Service's pool, not in the whole account.
    where = " in the Service's pool" if table.pool else ""
    missing = f"NotFoundError: there is no such {noun}{where}."
    if verb is Verb.LIST:
        wrong = (
            "a SID, ``page_size`` or ``limit`` is malformed"
            if table.parents
            else "``page_size`` or ``limit`` is out of range"
        )
        return {
            "Returns:": [_PAGER.format(model=model)],
            "Raises:": [f"InvalidParameterError: {wrong}; nothing was sent."],
        }
    if verb is Verb.CREATE:
        return {
            "Returns:": [f"The new ``{model}``."],
            "Raises:": [f"InvalidParameterError: {_MALFORMED}"],
        }
    if verb is Verb.UPDATE:
        return {
            "Returns:": [f"The updated ``{model}``."],
            "Raises:": [f"InvalidParameterError: {_MALFORMED}", missing],
        }
    wrong = "a SID is malformed"
    if verb is Verb.FETCH and table.fetch_by_name:
        wrong = "the SID or unique name is empty or not a string"
        if table.parents:
            wrong += ", or a parent SID is malformed"
    raises = [f"InvalidParameterError: {wrong}; nothing was sent.", missing]
    if verb is Verb.DELETE:
        return {"Raises:": raises}
    return {"Returns:": [f"The ``{model}``."], "Raises:": raises}


def document_methods(
    cls: type, table: Collection[Any], shared: Mapping[str, str] | None = None
) -> None:
    """Complete the docstring of each of ``cls``'s verb methods; ``shared`` describes the
    arguments several of its methods take (create's and update's form fields)."""
    for verb in table.verbs:
        method: Callable[..., object] | None = vars(cls).get(verb.value)
        if method is None:
            continue
        names = [name for name in inspect.signature(method).parameters if name != "self"]
        doc = with_entries(
            method.__doc__, "Args:", names, {**(shared or {}), **_argument_docs(table, verb)}
        )
        for section, entries in _usual_sections(table, verb).items():
            doc = with_section(doc, section, entries)
        method.__doc__ = doc
