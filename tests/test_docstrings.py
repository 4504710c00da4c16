"""Docstrings completed from text written once: a docstring's own words win, the shared
ones are filled in in signature order, and the resource methods' shared words come from
the table's facts (prefixes, page maxima), so they cannot drift from the code."""

from __future__ import annotations

import inspect

import pytest

from twilio_proxy_async._docstrings import with_entries, with_section
from twilio_proxy_async._table import CHAT_SERVICES, PARTICIPANTS, SESSIONS, Verb
from twilio_proxy_async.resources.chat_services import ChatServices
from twilio_proxy_async.resources.participants import Participants
from twilio_proxy_async.resources.sessions import Sessions

DOC = """GET /v1/Things

    What it does.

    Args:
        b: the docstring's own words about b,
            over two lines.
    """


def test_own_entries_win_and_shared_ones_fill_in_in_signature_order() -> None:
    written_once = {"a": "shared words about a.", "b": "not these.", "c": "shared words about c."}
    assert with_entries(DOC, "Args:", ["a", "b", "c"], written_once) == (
        "GET /v1/Things\n\nWhat it does.\n\nArgs:\n"
        "    a: shared words about a.\n"
        "    b: the docstring's own words about b,\n        over two lines.\n"
        "    c: shared words about c.\n"
    )


def test_a_name_without_words_is_left_out_for_the_docs_test_to_report() -> None:
    assert "    z:" not in with_entries(DOC, "Args:", ["b", "z"], {})


def test_an_entry_for_a_parameter_that_is_not_there_is_refused() -> None:
    with pytest.raises(ValueError, match="documents b, which are not there"):
        with_entries(DOC, "Args:", ["a"], {"a": "shared words about a."})


def test_a_long_entry_is_wrapped_with_a_hanging_indent() -> None:
    doc = with_entries("Summary.", "Args:", ["a"], {"a": "word " * 40})
    lines = doc.splitlines()[3:]
    assert lines[0].startswith("    a: word") and len(lines) > 2
    assert all(line.startswith("        word") for line in lines[1:])
    assert max(len(line) for line in lines) <= 92


def test_a_section_is_added_only_where_the_docstring_has_none() -> None:
    added = with_section(DOC, "Returns:", ["The thing."])
    assert added.endswith("over two lines.\n\nReturns:\n    The thing.\n")
    assert with_section(added, "Returns:", ["Something else."]) == added
    # Sections keep Google's order whatever order they are added in.
    both = with_section(with_section(DOC, "Raises:", ["E: why."]), "Returns:", ["The thing."])
    assert both.index("Returns:") < both.index("Raises:")


def entries(method: object) -> dict[str, str]:
    """The ``Args:`` entries ``help()`` shows, by name."""
    lines = (inspect.getdoc(method) or "").splitlines()
    found: dict[str, str] = {}
    name = ""
    for line in lines[lines.index("Args:") + 1 :]:
        if not line.startswith("    "):
            break
        if line.startswith("        "):
            found[name] += " " + line.strip()
        else:
            name, _, text = line.strip().partition(": ")
            found[name] = text
    return found


def test_path_sids_are_described_with_the_tables_prefixes() -> None:
    described = entries(Participants.fetch)
    assert list(described) == [sid.name for sid in PARTICIPANTS.operation(Verb.FETCH).path_sids]
    assert described["service_sid"].startswith("the Proxy Service, ``KS`` followed by 32")
    assert described["session_sid"].startswith("the Session, ``KC`` followed by 32")
    assert described["sid"].startswith(f"the Participant, ``{PARTICIPANTS.prefix}`` followed")


def test_the_page_maximum_in_the_docs_is_the_tables() -> None:
    assert entries(Sessions.list)["page_size"].startswith(
        f"records per request to Twilio, 1 to {SESSIONS.api.max_page_size}."
    )
    assert entries(ChatServices.list)["page_size"].startswith(
        f"records per request to Twilio, 1 to {CHAT_SERVICES.api.max_page_size}."
    )
    assert SESSIONS.api.max_page_size != CHAT_SERVICES.api.max_page_size


def test_the_usual_sections_are_added_and_a_methods_own_are_kept() -> None:
    fetch = inspect.getdoc(Sessions.fetch) or ""
    assert "Returns:\n    The ``Session``." in fetch
    assert "NotFoundError: there is no such Session." in fetch
    create = inspect.getdoc(ChatServices.create) or ""
    assert "The new ``ChatService``, with Twilio's default settings." in create
    assert create.count("Returns:") == 1


def test_shared_arguments_are_written_once_and_shown_in_each_method() -> None:
    create, update = entries(Sessions.create), entries(Sessions.update)
    assert create["ttl"] == update["ttl"] and "default_ttl" in create["ttl"]
    assert create["date_expiry"] == update["date_expiry"]
    # Update's own words about status differ from create's, and stay its own.
    assert create["status"] != update["status"]
