"""What the command's two subcommands share: exit codes, the one-line error, argument
types, and the one vocabulary of demo counts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

import attrs

from .testing import DemoData

__all__ = ["DEMO_FIELDS", "EXIT_FAILURE", "EXIT_INTERRUPTED", "demo_data", "error", "positive"]

EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130

# The one vocabulary of demo counts, for --demo-size name=N pairs and the emulator's
# --demo-NAME flags: DemoData's fields without their "_per_service"/"_per_session".
DEMO_FIELDS = {field.name.split("_per_")[0]: field.name for field in attrs.fields(DemoData)}


def demo_data(counts: Mapping[str, int]) -> DemoData:
    return DemoData(**{DEMO_FIELDS[name]: value for name, value in counts.items()})


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def error(message: str) -> None:
    # One line, whatever the exception text holds.
    print(f"error: {' '.join(message.split())}", file=sys.stderr, flush=True)
