"""``../shared`` beside the project: Twilio's OpenAPI specs and response bodies, if present.

Only the conformance tests (``test_conformance*.py``) read it; in a clone without it they
skip and every other test still runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared"
OPENAPI = SHARED / "openapi"
FIXTURES = SHARED / "fixtures" / "twilio_proxy_chat_fixtures.json"


def twilio_bodies() -> list[dict[str, Any]]:
    """Twilio's own response bodies, one record per operation answer; [] without them."""
    if not FIXTURES.is_file():
        return []
    records: list[dict[str, Any]] = json.loads(FIXTURES.read_text())
    return records
