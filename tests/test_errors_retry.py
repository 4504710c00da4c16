"""Error mapping and retry decisions: pure functions, no event loop needed."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from twilio_proxy_async import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TwilioAPIError,
)
from twilio_proxy_async._exceptions import error_from_response
from twilio_proxy_async._retry import RetryPolicy, parse_retry_after

URL = "https://proxy.twilio.com/v1/Services/KS" + "a" * 32


def build(status: int, body: bytes, headers: dict[str, str] | None = None) -> TwilioAPIError:
    return error_from_response(
        status=status, headers=headers or {}, body=body, method="GET", url=URL
    )


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (418, TwilioAPIError),
        (302, TwilioAPIError),
    ],
)
def test_status_picks_the_error_class(status: int, kind: type[TwilioAPIError]) -> None:
    assert type(build(status, b"")) is kind


def test_twilio_error_body_is_parsed_with_request_id() -> None:
    body = (
        b'{"code": 20404, "message": "The requested resource was not found", '
        b'"more_info": "https://www.twilio.com/docs/errors/20404", "status": 404, '
        b'"details": {"hint": "x"}}'
    )
    error = build(404, body, {"Twilio-Request-Id": "RQ" + "0" * 32})
    assert (error.status, error.code, error.message) == (
        404,
        20404,
        "The requested resource was not found",
    )
    assert error.more_info == "https://www.twilio.com/docs/errors/20404"
    assert error.details == {"hint": "x"}
    assert error.request_id == "RQ" + "0" * 32
    assert (error.method, error.url, error.body) == ("GET", URL, body)
    assert str(error) == (
        f"GET {URL} -> HTTP 404 (code 20404): The requested resource was not found "
        f"[request RQ{'0' * 32}]"
    )


def test_camel_case_more_info_is_understood() -> None:
    error = build(400, b'{"code": 21211, "message": "bad", "moreInfo": "https://x/21211"}')
    assert (error.code, error.more_info) == (21211, "https://x/21211")


def test_html_502_from_a_proxy_keeps_its_text() -> None:
    body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    error = build(502, body)
    assert type(error) is ServerError
    assert error.code is None
    assert error.message == body.decode()
    assert error.body == body


def test_long_non_json_body_is_excerpted_in_the_message_but_kept_whole() -> None:
    body = b"x" * 5000
    error = build(500, body)
    assert error.message == "x" * 200 + "..."
    assert error.body == body


@pytest.mark.parametrize(
    "body", [b"", b"null", b"[1, 2]", b'{"code": "abc"}', b'{"message": 7}', b"{trunc"]
)
def test_odd_error_bodies_never_raise(body: bytes) -> None:
    error = build(500, body)
    assert error.code is None
    assert error.message


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    date = format_datetime(datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(date, now=lambda: now) == 30.0


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "Mon, 99 Foo 2026"])
def test_unreadable_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value) is None


@pytest.mark.parametrize(
    ("idempotent", "status", "expected"),
    [
        (False, 429, True),
        (True, 429, True),
        (True, 500, True),
        (True, 503, True),
        (True, 502, True),
        (False, 500, False),
        (False, 503, False),
        (True, 400, False),
        (True, 404, False),
        (False, 409, False),
    ],
)
def test_which_statuses_are_retried(idempotent: bool, status: int, expected: bool) -> None:
    assert RetryPolicy().retries_status(status, idempotent=idempotent) is expected


def test_connection_failures_repeat_a_create_only_when_nothing_was_sent() -> None:
    policy = RetryPolicy()
    assert policy.retries_connection_failure(request_sent=False, idempotent=False)
    assert not policy.retries_connection_failure(request_sent=True, idempotent=False)
    assert policy.retries_connection_failure(request_sent=True, idempotent=True)
    assert policy.retries_connection_failure(request_sent=False, idempotent=True)


def test_waits_are_jittered_exponential_capped_and_counted() -> None:
    policy = RetryPolicy(max_retries=8, backoff_base=0.5, max_backoff=4.0)
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    for _ in range(50):
        waits = list(policy.waits())
        assert len(waits) == 8
        assert all(0 <= wait <= ceiling for wait, ceiling in zip(waits, ceilings, strict=True))
    assert list(RetryPolicy(max_retries=0).waits()) == []


def test_retry_after_is_honoured_up_to_its_cap() -> None:
    policy = RetryPolicy(max_retry_after=10.0)
    assert policy.wait_for(3.0, fallback=0.1) == 3.0
    assert policy.wait_for(3600.0, fallback=0.1) == 10.0
    assert policy.wait_for(None, fallback=0.25) == 0.25
