"""Every error survives pickle and copy with all its attributes (issue #11, item 6).

A worker of a ProcessPoolExecutor raising a NotFoundError must hand it back to the parent
intact, not break the pool.
"""

from __future__ import annotations

import copy
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from twilio_proxy_async import (
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    EventLoopError,
    InvalidParameterError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    ServerError,
    TwilioAPIError,
    TwilioConnectionError,
    TwilioError,
    TwilioTimeoutError,
)

URL = "https://proxy.twilio.com/v1/Services/KS" + "a" * 32


def api_error(kind: type[TwilioAPIError], status: int) -> TwilioAPIError:
    return kind(
        status=status,
        code=20404,
        message="The requested resource was not found",
        more_info="https://www.twilio.com/docs/errors/20404",
        details={"field": ["why"]},
        request_id="RQ" + "0" * 32,
        method="GET",
        url=URL,
        body=b'{"code": 20404}',
        retry_after=1.5,
        attempts=3,
    )


ERRORS: list[TwilioError] = [
    *(
        api_error(kind, status)
        for kind, status in [
            (TwilioAPIError, 418),
            (BadRequestError, 400),
            (AuthenticationError, 401),
            (PermissionDeniedError, 403),
            (NotFoundError, 404),
            (ConflictError, 409),
            (RateLimitError, 429),
            (ServerError, 503),
        ]
    ),
    TwilioConnectionError("ServerDisconnectedError", method="POST", url=URL, attempts=2),
    TwilioTimeoutError("no complete answer within 1.0s", method="GET", url=URL, attempts=4),
    ResponseValidationError("not valid JSON", method="GET", url=URL, status=200, body=b"{"),
    ResponseTooLargeError(method="GET", url=URL, limit=1024),
    TwilioError("the root"),
    PaginationError("a loop"),
    ClientClosedError("closed"),
    EventLoopError("another loop"),
    InvalidParameterError("bad sid"),
    ConfigurationError("no token"),
]


def state(error: BaseException) -> tuple[object, ...]:
    return (type(error), error.args, str(error), repr(error), vars(error))


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_an_error_pickles_and_copies_with_every_attribute(error: TwilioError) -> None:
    assert vars(error) or not isinstance(error, TwilioAPIError | TwilioConnectionError)
    for twin in (
        pickle.loads(pickle.dumps(error)),
        copy.copy(error),
        copy.deepcopy(error),
    ):
        assert twin is not error
        assert state(twin) == state(error)


def test_every_public_error_class_is_covered() -> None:
    import twilio_proxy_async

    public = {
        value
        for value in vars(twilio_proxy_async).values()
        if isinstance(value, type) and issubclass(value, TwilioError)
    }
    assert public == {type(error) for error in ERRORS}


def raise_not_found(sid: str) -> None:
    raise api_error(NotFoundError, 404)


def square(number: int) -> int:
    return number * number


def test_a_process_pool_worker_raising_not_found_hands_it_back_intact() -> None:
    # spawn: a fresh interpreter, as on macOS and Windows, and no fork of a running loop.
    with ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        with pytest.raises(NotFoundError) as caught:
            pool.submit(raise_not_found, "KS").result(timeout=60)
        # The pool is not broken: the same worker takes the next job.
        assert pool.submit(square, 7).result(timeout=60) == 49
    assert vars(caught.value) == vars(api_error(NotFoundError, 404))
    assert caught.value.attempts == 3
    assert "after 3 attempts" in str(caught.value)
