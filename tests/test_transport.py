"""What goes on the wire and what comes back: headers, retries, error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aioresponses import aioresponses

from twilio_proxy_async import (
    BadRequestError,
    Client,
    ClientClosedError,
    NotFoundError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    TwilioConnectionError,
)
from twilio_proxy_async.testing import RetryWaits, instant_retry_waits

from helpers import ACCOUNT, TOKEN, sent

KS = "KS" + "a" * 32
SERVICES_URL = "https://proxy.twilio.com/v1/Services"
SERVICE_URL = f"{SERVICES_URL}/{KS}"
SERVICE = {"sid": KS, "unique_name": "svc"}


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with Client(ACCOUNT, TOKEN, max_retries=3) as opened:
        yield opened


@pytest.fixture
def sleeps(client: Client) -> RetryWaits:
    return instant_retry_waits(client)


async def test_get_sends_auth_user_agent_and_accept(client: Client, mocked: aioresponses) -> None:
    mocked.get(SERVICE_URL, payload=SERVICE)
    await client.proxy.services.fetch(KS)
    [(method, url, form, headers)] = sent(mocked)
    assert (method, url, form) == ("GET", SERVICE_URL, None)
    import base64

    assert (
        headers["Authorization"]
        == "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    )
    assert headers["User-Agent"].startswith("twilio-proxy-async/")
    assert headers["Accept"] == "application/json"
    assert "Content-Type" not in headers


async def test_post_is_form_encoded(client: Client, mocked: aioresponses) -> None:
    mocked.post(SERVICE_URL, payload=SERVICE)
    await client.proxy.services.update(KS, unique_name="a b&c=d", default_ttl=60)
    [(method, _, form, headers)] = sent(mocked)
    assert method == "POST"
    assert form == [("UniqueName", "a b&c=d"), ("DefaultTtl", "60")]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    raw = mocked.requests[("POST", __import__("yarl").URL(SERVICE_URL))][0].kwargs["data"]
    assert raw == b"UniqueName=a%20b%26c%3Dd&DefaultTtl=60"


async def test_429_is_retried_for_post_with_retry_after(
    client: Client, mocked: aioresponses, sleeps: RetryWaits
) -> None:
    mocked.post(SERVICE_URL, status=429, headers={"Retry-After": "2"}, payload={"code": 20429})
    mocked.post(SERVICE_URL, payload=SERVICE)
    service = await client.proxy.services.update(KS, unique_name="x")
    assert service.sid == KS
    assert sleeps.delays == [2.0]
    assert len(sent(mocked)) == 2


async def test_5xx_is_retried_for_get(
    client: Client, mocked: aioresponses, sleeps: RetryWaits
) -> None:
    mocked.get(SERVICE_URL, status=503, body="busy")
    mocked.get(SERVICE_URL, status=500, body="oops")
    mocked.get(SERVICE_URL, payload=SERVICE)
    assert (await client.proxy.services.fetch(KS)).sid == KS
    assert len(sleeps.delays) == 2
    assert all(0 <= delay <= 1.0 for delay in sleeps.delays)


async def test_instant_retry_waits_records_a_view_s_waits_and_counts_them(
    client: Client, mocked: aioresponses
) -> None:
    counts: list[int] = []
    waits = instant_retry_waits(client, on_wait=counts.append)
    view = client.with_options(max_retries=2)
    for _ in range(2):
        mocked.get(SERVICE_URL, status=429, headers={"Retry-After": "3"}, payload={"code": 20429})
    mocked.get(SERVICE_URL, payload=SERVICE)
    assert (await view.proxy.services.fetch(KS)).sid == KS
    assert (waits.delays, counts) == ([3.0, 3.0], [1, 2])
    # Out of retries, the error is what it is without the helper.
    mocked.get(SERVICE_URL, status=429, headers={"Retry-After": "4"}, payload={"code": 20429})
    mocked.get(SERVICE_URL, status=429, headers={"Retry-After": "4"}, payload={"code": 20429})
    with pytest.raises(RateLimitError) as caught:
        await client.with_options(max_retries=1).proxy.services.fetch(KS)
    assert caught.value.attempts == 2
    assert waits.delays == [3.0, 3.0, 4.0]


async def test_5xx_is_not_retried_for_a_create_and_says_the_resource_may_exist(
    client: Client, mocked: aioresponses, sleeps: RetryWaits
) -> None:
    mocked.post(SERVICES_URL, status=500, payload={"code": 20500, "message": "Internal"})
    mocked.post(SERVICES_URL, payload=SERVICE)
    with pytest.raises(ServerError) as caught:
        await client.proxy.services.create(unique_name="x")
    assert (caught.value.status, caught.value.code, caught.value.attempts) == (500, 20500, 1)
    assert "the resource may exist" in str(caught.value)
    assert "fetch it by unique name, or list" in str(caught.value)
    assert sleeps.delays == []
    assert len(sent(mocked)) == 1


async def test_5xx_is_retried_for_an_update(
    client: Client, mocked: aioresponses, sleeps: RetryWaits
) -> None:
    mocked.post(SERVICE_URL, status=500, payload={"code": 20500, "message": "Internal"})
    mocked.post(SERVICE_URL, status=503, body="busy")
    mocked.post(SERVICE_URL, payload=SERVICE)
    assert (await client.proxy.services.update(KS, unique_name="x")).sid == KS
    assert len(sleeps.delays) == 2
    # Each attempt sent the same form.
    assert [form for _, _, form, _ in sent(mocked)] == [[("UniqueName", "x")]] * 3


async def test_connection_error_is_retried_for_get_and_update_not_create(
    client: Client, mocked: aioresponses, sleeps: RetryWaits
) -> None:
    mocked.get(SERVICE_URL, exception=aiohttp.ServerDisconnectedError())
    mocked.get(SERVICE_URL, payload=SERVICE)
    assert (await client.proxy.services.fetch(KS)).sid == KS
    mocked.post(SERVICE_URL, exception=aiohttp.ServerDisconnectedError())
    mocked.post(SERVICE_URL, payload=SERVICE)
    assert (await client.proxy.services.update(KS, unique_name="x")).sid == KS
    assert len(sleeps.delays) == 2
    mocked.post(SERVICES_URL, exception=aiohttp.ServerDisconnectedError())
    with pytest.raises(TwilioConnectionError, match="ServerDisconnectedError") as caught:
        await client.proxy.services.create(unique_name="x")
    assert "the resource may exist" in str(caught.value)
    assert len(sleeps.delays) == 2


async def test_retries_stop_at_max_retries_and_raise_the_last_error(
    client: Client, mocked: aioresponses, sleeps: RetryWaits
) -> None:
    for _ in range(4):
        mocked.get(SERVICE_URL, status=429, payload={"code": 20429, "message": "Too many"})
    with pytest.raises(RateLimitError) as caught:
        await client.proxy.services.fetch(KS)
    assert caught.value.code == 20429
    assert len(sleeps.delays) == 3
    assert len(sent(mocked)) == 4


async def test_max_retries_zero_disables_retrying(mocked: aioresponses) -> None:
    async with Client(ACCOUNT, TOKEN, max_retries=0) as client:
        mocked.get(SERVICE_URL, status=429)
        with pytest.raises(RateLimitError):
            await client.proxy.services.fetch(KS)
    assert len(sent(mocked)) == 1


async def test_4xx_raises_at_once_with_twilio_fields(
    client: Client, mocked: aioresponses, sleeps: RetryWaits
) -> None:
    body = {"code": 20404, "message": "not found", "more_info": "https://e/20404", "status": 404}
    mocked.get(SERVICE_URL, status=404, payload=body, headers={"Twilio-Request-Id": "RQ1"})
    with pytest.raises(NotFoundError) as caught:
        await client.proxy.services.fetch(KS)
    error = caught.value
    assert (error.code, error.message, error.more_info, error.request_id) == (
        20404,
        "not found",
        "https://e/20404",
        "RQ1",
    )
    assert (error.method, error.url) == ("GET", SERVICE_URL)
    assert sleeps.delays == []


async def test_redirects_are_not_followed(client: Client, mocked: aioresponses) -> None:
    mocked.get(SERVICE_URL, status=302, headers={"Location": "https://evil.example/"})
    with pytest.raises(Exception) as caught:
        await client.proxy.services.fetch(KS)
    assert getattr(caught.value, "status", None) == 302
    assert len(sent(mocked)) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"sid": "KSnot-a-sid"}', "must be a KS SID"),
        ('{"sid": "' + KS + '", "default_ttl": "60"}', "expected an integer"),
        ('{"unique_name": "no sid"}', "sid"),
        ('{"sid": "' + KS + '", "date_created": "yesterday"}', "yesterday"),
        ("[]", "expected a JSON object for Service, got list"),
        ('{"sid": "KS', "not valid JSON: "),
        ("<html>ok</html>", "not valid JSON: "),
    ],
)
async def test_2xx_body_that_does_not_fit_keeps_the_raw_body(
    client: Client, mocked: aioresponses, body: str, reason: str
) -> None:
    mocked.get(SERVICE_URL, status=200, body=body)
    with pytest.raises(ResponseValidationError) as caught:
        await client.proxy.services.fetch(KS)
    assert caught.value.body == body.encode()
    assert caught.value.status == 200
    assert reason in caught.value.reason


async def test_list_pages_raise_the_same_typed_errors(client: Client, mocked: aioresponses) -> None:
    mocked.get(
        "https://proxy.twilio.com/v1/Services?PageSize=5",
        status=400,
        payload={"code": 20001, "message": "Invalid PageSize"},
    )
    with pytest.raises(BadRequestError) as caught:
        async for _service in client.proxy.services.list(page_size=5):
            pass
    assert caught.value.code == 20001


async def test_a_closed_client_refuses_requests_and_reopening() -> None:
    client = Client(ACCOUNT, TOKEN)
    async with client:
        pass
    with pytest.raises(ClientClosedError):
        await client.proxy.services.fetch(KS)
    with pytest.raises(ClientClosedError):
        async with client:
            pass
    await client.aclose()


async def test_exhausted_connection_retries_name_the_aiohttp_failure_without_chaining_it(
    client: Client, mocked: aioresponses, sleeps: RetryWaits
) -> None:
    for _ in range(4):
        mocked.get(SERVICE_URL, exception=aiohttp.ServerDisconnectedError())
    with pytest.raises(TwilioConnectionError) as caught:
        await client.proxy.services.fetch(KS)
    # aiohttp's exceptions can hold the request headers, so only their name and text stay.
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert "ServerDisconnectedError" in str(caught.value)
    assert caught.value.attempts == 4
    assert len(sleeps.delays) == 3
