"""The bulk export behind ``twilio-proxy-async export``: resumable, concurrent, with progress."""

from ._errors import ExportError, JournalError
from ._progress import ExportSummary, Progress, ProgressMode
from ._runner import RESOURCES, run_export
from ._writers import FORMATS, Format

__all__ = [
    "FORMATS",
    "RESOURCES",
    "ExportError",
    "ExportSummary",
    "Format",
    "JournalError",
    "Progress",
    "ProgressMode",
    "run_export",
]
