"""Completing Google-style docstrings with text written once elsewhere.

Where many methods or classes take the same parameter or field (a parent SID, ``page_size``,
an interaction callback's fields), its description is written once and added here to each
docstring that lacks it, so ``help()`` and the docs show every entry and none can drift
from its siblings. What a docstring says itself always wins.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Mapping, Sequence

__all__ = ["entries", "with_entries", "with_section"]

# The order sections are written in.
_SECTIONS = ("Args:", "Returns:", "Raises:", "Attributes:")
_ENTRY = re.compile(r"^    (\w+): ")
_WIDTH = 92


def _split(doc: str | None) -> tuple[list[str], dict[str, list[str]]]:
    """The lines before the first section, and each section's indented lines."""
    head: list[str] = []
    sections: dict[str, list[str]] = {}
    current = head
    for line in inspect.cleandoc(doc or "").splitlines():
        if line in _SECTIONS:
            current = sections.setdefault(line, [])
        else:
            current.append(line)
    for lines in (head, *sections.values()):
        while lines and not lines[-1].strip():
            lines.pop()
    return head, sections


def _join(head: list[str], sections: Mapping[str, list[str]]) -> str:
    parts = ["\n".join(head)]
    parts.extend("\n".join([name, *sections[name]]) for name in _SECTIONS if name in sections)
    return "\n\n".join(part for part in parts if part) + "\n"


def _wrapped(text: str, hanging: bool = True) -> list[str]:
    """One entry (``name: text``, hanging) or paragraph (``Returns:``), indented as written."""
    more = "        " if hanging else "    "
    return textwrap.wrap(
        text, _WIDTH, initial_indent="    ", subsequent_indent=more, break_on_hyphens=False
    )


def _entries(lines: Sequence[str], section: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        match = _ENTRY.match(line)
        if match:
            current = found.setdefault(match.group(1), [])
        if current is None:
            raise ValueError(f"{section} starts with {line!r}, not an entry")
        current.append(line)
    return found


def entries(doc: str | None, section: str) -> dict[str, str]:
    """The text of each entry of ``doc``'s ``section``, by name, its lines joined."""
    found = _entries(_split(doc)[1].get(section, []), section)
    return {
        name: " ".join(line.strip() for line in lines)[len(name) + 2 :]
        for name, lines in found.items()
    }


def with_entries(
    doc: str | None, section: str, names: Sequence[str], written_once: Mapping[str, str]
) -> str:
    """``doc`` with an entry in ``section`` for each of ``names``, in that order: the
    docstring's own entry where it has one, else ``name: written_once[name]``. A name
    with neither is left out (the docs test reports it); an entry for a name not in
    ``names`` is stale, and a ValueError."""
    head, sections = _split(doc)
    own = _entries(sections.get(section, []), section)
    stale = sorted(set(own) - set(names))
    if stale:
        raise ValueError(f"{section} documents {', '.join(stale)}, which are not there")
    lines: list[str] = []
    for name in names:
        if name in own:
            lines.extend(own[name])
        elif name in written_once:
            lines.extend(_wrapped(f"{name}: {written_once[name]}"))
    if lines:
        sections[section] = lines
    return _join(head, sections)


def with_section(doc: str | None, section: str, entries: Sequence[str]) -> str:
    """``doc`` with ``section`` holding ``entries`` (one paragraph each), unless it has
    that section already."""
    head, sections = _split(doc)
    if section not in sections and entries:
        hanging = section != "Returns:"
        sections[section] = [line for entry in entries for line in _wrapped(entry, hanging)]
    return _join(head, sections)
