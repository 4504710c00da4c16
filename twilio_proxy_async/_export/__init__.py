"""The bulk export behind ``twilio-proxy-async export``: resumable, concurrent, with progress."""

from ._entry import PreparedExport, describe, run_export
from ._errors import ExportError, JournalError
from ._progress import ExportSummary, Progress, ProgressMode
from ._schema import RESOURCES
from ._writers import FORMATS, Format

__all__ = [
    "FORMATS",
    "RESOURCES",
    "ExportError",
    "ExportSummary",
    "Format",
    "JournalError",
    "PreparedExport",
    "Progress",
    "ProgressMode",
    "describe",
    "run_export",
]
