"""Credentials, origins and the client's own settings: resolved before any request."""

from __future__ import annotations

import base64
import os

import pytest
from leak_support import exception_text, reachable_exceptions

from twilio_proxy_async import Client, ConfigurationError
from twilio_proxy_async._config import Origins, resolve_credentials, user_agent

ACCOUNT = "AC" + "1" * 32
KEY = "SK" + "2" * 32


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_API_KEY",
        "TWILIO_API_SECRET",
        "TWILIO_REGION",
        "TWILIO_EDGE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_arguments_give_basic_auth_with_account_and_token() -> None:
    credentials = resolve_credentials(ACCOUNT, "token", None, None, env={})
    assert credentials.username == ACCOUNT
    assert (
        credentials.authorization()
        == "Basic " + base64.b64encode(f"{ACCOUNT}:token".encode()).decode()
    )


def test_environment_is_read_when_arguments_are_absent() -> None:
    env = {"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": "from-env"}
    credentials = resolve_credentials(None, None, None, None, env=env)
    assert (credentials.account_sid, credentials.secret) == (ACCOUNT, "from-env")


def test_api_key_pair_from_environment_authenticates_as_the_key() -> None:
    env = {"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": "s3"}
    credentials = resolve_credentials(None, None, None, None, env=env)
    assert (credentials.account_sid, credentials.username, credentials.secret) == (
        ACCOUNT,
        KEY,
        "s3",
    )


def test_explicit_token_wins_over_an_api_key_in_the_environment() -> None:
    env = {"TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": "s3"}
    credentials = resolve_credentials(ACCOUNT, "token", None, None, env=env)
    assert credentials.username == ACCOUNT


@pytest.mark.parametrize(
    ("args", "env", "names"),
    [
        ((None, None, None, None), {}, "TWILIO_ACCOUNT_SID"),
        ((ACCOUNT, None, None, None), {}, "TWILIO_AUTH_TOKEN"),
        ((ACCOUNT, None, KEY, None), {}, "TWILIO_API_SECRET"),
        (("ACnope", "t", None, None), {}, "account_sid"),
        ((ACCOUNT, None, "SKnope", "s"), {}, "api_key"),
    ],
)
def test_missing_or_malformed_credentials_name_what_is_missing(
    args: tuple[str | None, str | None, str | None, str | None],
    env: dict[str, str],
    names: str,
) -> None:
    with pytest.raises(ConfigurationError, match=names):
        resolve_credentials(*args, env=env)


def test_client_reports_missing_credentials_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="TWILIO_ACCOUNT_SID"):
        Client()


def test_secret_never_appears_in_repr() -> None:
    credentials = resolve_credentials(ACCOUNT, "sup3r-secret", None, None, env={})
    client = Client(ACCOUNT, "sup3r-secret")
    for text in (repr(credentials), str(credentials), repr(client), str(client)):
        assert "sup3r-secret" not in text
    assert "sup3r-secret" not in repr(vars(client))


@pytest.mark.parametrize(
    ("region", "edge", "proxy", "chat"),
    [
        (None, None, "https://proxy.twilio.com", "https://chat.twilio.com"),
        (
            "ie1",
            "dublin",
            "https://proxy.dublin.ie1.twilio.com",
            "https://chat.dublin.ie1.twilio.com",
        ),
        (
            None,
            "sydney",
            "https://proxy.sydney.us1.twilio.com",
            "https://chat.sydney.us1.twilio.com",
        ),
        ("au1", None, "https://proxy.au1.twilio.com", "https://chat.au1.twilio.com"),
    ],
)
def test_region_and_edge_shape_every_host(
    region: str | None, edge: str | None, proxy: str, chat: str
) -> None:
    origins = Origins.build(region=region, edge=edge, base_url=None)
    assert dict(origins.by_product) == {"proxy": proxy, "chat": chat}


def test_region_and_edge_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")
    client = Client(ACCOUNT, "t")
    assert "https://proxy.dublin.ie1.twilio.com" in repr(client)


@pytest.mark.parametrize(
    ("base_url", "origin"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9/", "http://localhost:9"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://twilio.example.com", "https://twilio.example.com"),
        ("https://twilio.example.com:443", "https://twilio.example.com"),
    ],
)
def test_base_url_sends_every_product_to_one_origin(base_url: str, origin: str) -> None:
    origins = Origins.build(region="ie1", edge=None, base_url=base_url)
    assert dict(origins.by_product) == {"proxy": origin, "chat": origin}


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("http://10.0.0.5:8080", "plain http"),
        ("http://example.com", "plain http"),
        ("ftp://127.0.0.1", "absolute http"),
        ("https://example.com/v1", "without a path"),
        ("https://user:pw@example.com", "user info"),
    ],
)
def test_base_url_is_refused_when_unsafe(base_url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Origins.build(region=None, edge=None, base_url=base_url)


def test_follow_rewrites_canonical_urls_onto_the_configured_origin_verbatim() -> None:
    origins = Origins.build(region="ie1", edge="dublin", base_url=None)
    url = "https://proxy.twilio.com/v1/Services?PageSize=50&Page=1&PageToken=PA%2Bx%3D%3D"
    assert origins.follow(url, "proxy") == (
        "https://proxy.dublin.ie1.twilio.com/v1/Services?PageSize=50&Page=1&PageToken=PA%2Bx%3D%3D"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://chat.twilio.com/v2/Services?Page=1",
        "https://evil.example/v1/Services",
        "http://proxy.twilio.com/v1/Services",
        "https://proxy.twilio.com:8443/v1/Services",
        "https://user@proxy.twilio.com/v1/Services",
        "/v1/Services?Page=1",
    ],
)
def test_follow_refuses_any_other_origin(url: str) -> None:
    origins = Origins.build(region=None, edge=None, base_url=None)
    with pytest.raises(ValueError, match="refusing next-page URL"):
        origins.follow(url, "proxy")


def test_user_agent_names_sdk_version_platform_and_python() -> None:
    agent = user_agent()
    assert agent.startswith("twilio-proxy-async/0.")
    assert "Python/3." in agent
    assert "aiohttp/" in agent


@pytest.mark.parametrize(
    "kwargs",
    [{"timeout": 0}, {"timeout": -1.0}, {"max_retries": -1}, {"max_concurrency": 0}],
)
def test_client_settings_are_validated(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        Client(ACCOUNT, "t", **kwargs)  # type: ignore[arg-type]


def test_a_token_of_bytes_that_are_not_utf8_is_a_configuration_error_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bytes reach os.environ as they would from a shell: undecodable ones become
    # lone surrogates (PEP 383), which no HTTP header can carry.
    raw = b"tok3n-\xff\xfe-that-must-never-leak"
    token = os.fsdecode(raw)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", token)
    with pytest.raises(ConfigurationError, match="not valid UTF-8") as caught:
        Client()
    text = exception_text(caught.value)
    assert "tok3n" not in text and "never-leak" not in text
    assert reachable_exceptions(caught.value) == [caught.value]


@pytest.mark.parametrize(
    ("settings", "what"),
    [
        ({"auth_token": "tok3n-\udcff"}, "auth token"),
        ({"api_key": KEY, "api_secret": "s3cret-\udcfe"}, "API secret"),
        ({"auth_token": "tok3n\r\nX-Injected: 1"}, "control characters"),
    ],
)
def test_a_secret_no_header_can_carry_is_refused_without_showing_it(
    settings: dict[str, str], what: str
) -> None:
    with pytest.raises(ConfigurationError, match=what) as caught:
        Client(ACCOUNT, **settings)
    text = exception_text(caught.value)
    assert "tok3n" not in text and "s3cret" not in text
    assert reachable_exceptions(caught.value) == [caught.value]
