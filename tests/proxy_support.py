"""The Proxy resource tests' world: Twilio's example SIDs and URLs, pages, the one request."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from aioresponses import aioresponses

from helpers import ACCOUNT, TOKEN, Sent, sent

# The SIDs Twilio's examples use, so example bodies and requests line up.
KS = "KS" + "a" * 32
KC = "KC" + "a" * 32
KP = "KP" + "a" * 32
KP_B = "KP" + "b" * 32
KI = "KI" + "a" * 32
PN = "PN" + "a" * 32
SM = "SM" + "a" * 32
SM_B = "SM" + "b" * 32

PROXY = "https://proxy.twilio.com"
SERVICE_URL = f"{PROXY}/v1/Services/{KS}"
SESSION_URL = f"{SERVICE_URL}/Sessions/{KC}"
PARTICIPANT_URL = f"{SESSION_URL}/Participants/{KP}"
EXAMPLE_TIME = datetime(2015, 7, 30, 20, 0, tzinfo=UTC)

NOT_FOUND = {
    "code": 20404,
    "message": "The requested resource was not found",
    "more_info": "https://www.twilio.com/docs/errors/20404",
    "status": 404,
}


def page_of(key: str, records: list[dict[str, Any]], url: str) -> dict[str, Any]:
    """A one-page list answer in Twilio's shape."""
    return {
        key: records,
        "meta": {
            "key": key,
            "page": 0,
            "page_size": 50,
            "url": url,
            "first_page_url": url,
            "previous_page_url": None,
            "next_page_url": None,
        },
    }


def only_request(mocked: aioresponses) -> Sent:
    """The single request sent, with the headers every request must carry checked."""
    (request,) = sent(mocked)
    credentials = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    assert request.headers["User-Agent"].startswith("twilio-proxy-async/")
    assert request.headers["Accept"] == "application/json"
    if request.method == "POST":
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    else:
        assert "Content-Type" not in request.headers
        assert request.form is None
    return request
