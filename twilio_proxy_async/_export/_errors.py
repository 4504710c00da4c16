"""The export's own failure: it cannot start or go on as asked."""

from __future__ import annotations

from .._exceptions import TwilioError

__all__ = ["ExportError", "JournalError"]


class ExportError(TwilioError):
    """The export cannot start or go on as asked; the message says why and what to do.

    A ``TwilioError`` like everything else the package raises on purpose, so one
    ``except TwilioError`` covers an export too.
    """


class JournalError(ExportError):
    """The journal cannot be read back: it was not written by this tool, or is damaged."""
