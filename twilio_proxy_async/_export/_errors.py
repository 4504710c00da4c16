"""The export's own failure: it cannot start or go on as asked."""

from __future__ import annotations

__all__ = ["ExportError", "JournalError"]


class ExportError(Exception):
    """The export cannot start or go on as asked; the message says why and what to do."""


class JournalError(ExportError):
    """The journal cannot be read back: it was not written by this tool, or is damaged."""
