"""Twilio webhook signatures: known vectors, URL handling, aiohttp guard, properties."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from unittest import mock
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st
from multidict import MultiDict
from starlette.datastructures import FormData
from yarl import URL

from twilio_proxy_async.webhooks import (
    compute_signature,
    public_request_url,
    twilio_signature_middleware,
    validate_request,
    validate_signature,
    verify_aiohttp_request,
)

DOC_TOKEN = "12345"
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
SECRET = "tok-SECRET-5f3a9c"


def reference_signature(token: str, data: str) -> str:
    """HMAC-SHA1 of an already-concatenated string, written out independently of the SUT."""
    mac = hmac.new(token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# --- compute_signature: known vectors -------------------------------------------------------


def test_documented_example_matches_twilios_published_signature() -> None:
    # Twilio's security docs walk through this request and publish this signature.
    assert compute_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_documented_example_matches_a_step_by_step_computation() -> None:
    data = (
        DOC_URL
        + "CallSidCA1234567890ABCDE"
        + "Caller+12349013030"
        + "Digits1234"
        + "From+12349013030"
        + "To+18005551212"
    )
    assert compute_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS) == reference_signature(DOC_TOKEN, data)


def test_older_documented_example_with_415_numbers() -> None:
    # The same walkthrough in the older docs used +14158675309 for Caller/From.
    params = {**DOC_PARAMS, "Caller": "+14158675309", "From": "+14158675309"}
    assert compute_signature(DOC_TOKEN, DOC_URL, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize("params", [None, {}])
def test_no_params_signs_the_url_alone(params: dict[str, str] | None) -> None:
    assert compute_signature(DOC_TOKEN, DOC_URL, params) == reference_signature(DOC_TOKEN, DOC_URL)


def test_empty_value_still_contributes_its_name() -> None:
    assert compute_signature(DOC_TOKEN, DOC_URL, {"Body": ""}) == reference_signature(
        DOC_TOKEN, DOC_URL + "Body"
    )


def test_repeated_field_uses_distinct_values_in_sorted_order() -> None:
    params = {"SidAccount": "AC123", "Digits": ["5678", "1234", "1234"], "Sid": "CA123"}
    expected = reference_signature(
        DOC_TOKEN, DOC_URL + "Digits1234Digits5678SidCA123SidAccountAC123"
    )
    assert compute_signature(DOC_TOKEN, DOC_URL, params) == expected


def test_multidict_contributes_every_value_of_a_repeated_key() -> None:
    form = MultiDict(
        [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    )
    as_lists = {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["1234", "5678"]}
    assert compute_signature(DOC_TOKEN, DOC_URL, form) == compute_signature(
        DOC_TOKEN, DOC_URL, as_lists
    )


def test_starlette_form_data_contributes_every_value_of_a_repeated_key() -> None:
    form = FormData([("Sid", "CA123"), ("Digits", "5678"), ("Digits", "1234")])
    as_lists = {"Sid": "CA123", "Digits": ["1234", "5678"]}
    assert compute_signature(DOC_TOKEN, DOC_URL, form) == compute_signature(
        DOC_TOKEN, DOC_URL, as_lists
    )


def test_names_sort_by_code_point_so_uppercase_comes_first() -> None:
    assert compute_signature(DOC_TOKEN, DOC_URL, {"a": "1", "B": "2"}) == reference_signature(
        DOC_TOKEN, DOC_URL + "B2a1"
    )


def test_unicode_url_and_values_are_signed_as_utf8() -> None:
    url = "https://example.com/crème?q=ü"
    params = {"Body": "héllo ☃ 👋", "Émoji": "✓"}
    expected = reference_signature(DOC_TOKEN, url + "Bodyhéllo ☃ 👋Émoji✓")
    assert compute_signature(DOC_TOKEN, url, params) == expected
    assert validate_signature(DOC_TOKEN, url, params, expected)


def test_input_order_does_not_matter() -> None:
    reordered = dict(reversed(list(DOC_PARAMS.items())))
    assert compute_signature(DOC_TOKEN, DOC_URL, reordered) == compute_signature(
        DOC_TOKEN, DOC_URL, DOC_PARAMS
    )
    assert compute_signature(DOC_TOKEN, DOC_URL, {"D": ["2", "1"]}) == compute_signature(
        DOC_TOKEN, DOC_URL, {"D": ("1", "2")}
    )


# --- validate_signature ---------------------------------------------------------------------


def test_documented_example_validates() -> None:
    assert validate_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")


@pytest.mark.parametrize(
    ("received_url", "signed_url"),
    [
        ("https://mycompany.com/myapp.php?foo=1", "https://mycompany.com:443/myapp.php?foo=1"),
        ("https://mycompany.com:443/myapp.php?foo=1", "https://mycompany.com/myapp.php?foo=1"),
        ("http://mycompany.com/myapp.php?foo=1", "http://mycompany.com:80/myapp.php?foo=1"),
        ("http://mycompany.com:80/myapp.php?foo=1", "http://mycompany.com/myapp.php?foo=1"),
        ("https://mycompany.com:8443/hook", "https://mycompany.com/hook"),
        ("https://mycompany.com:8443/hook", "https://mycompany.com:8443/hook"),
        ("https://user:pw@mycompany.com/hook", "https://user:pw@mycompany.com:443/hook"),
        ("https://[2001:db8::1]/hook", "https://[2001:db8::1]:443/hook"),
        ("https://[2001:db8::1]:443/hook", "https://[2001:db8::1]/hook"),
    ],
)
def test_port_stripped_or_default_port_added(received_url: str, signed_url: str) -> None:
    signature = reference_signature(DOC_TOKEN, signed_url + "Digits1234")
    assert validate_signature(DOC_TOKEN, received_url, {"Digits": "1234"}, signature)


@pytest.mark.parametrize(
    ("received_url", "signed_url"),
    [
        ("https://mycompany.com/hook", "https://mycompany.com:80/hook"),
        ("http://mycompany.com/hook", "http://mycompany.com:443/hook"),
        ("https://mycompany.com/hook", "https://mycompany.com:8443/hook"),
    ],
)
def test_other_ports_are_not_accepted(received_url: str, signed_url: str) -> None:
    signature = reference_signature(DOC_TOKEN, signed_url)
    assert not validate_signature(DOC_TOKEN, received_url, None, signature)


def test_tampering_with_url_param_signature_or_token_fails() -> None:
    good = compute_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS)
    assert validate_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS, good)
    assert not validate_signature(DOC_TOKEN, DOC_URL.replace("bar=2", "bar=3"), DOC_PARAMS, good)
    assert not validate_signature(DOC_TOKEN, DOC_URL, {**DOC_PARAMS, "Digits": "9999"}, good)
    assert not validate_signature(DOC_TOKEN, DOC_URL, {**DOC_PARAMS, "Extra": ""}, good)
    assert not validate_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS, good[:-2] + "A=")
    assert not validate_signature("54321", DOC_URL, DOC_PARAMS, good)


@pytest.mark.parametrize("signature", [None, "", "not base64 at all", "ñ" * 28, "0/KCTR6DLp"])
def test_missing_empty_or_malformed_signature_is_false(signature: str | None) -> None:
    assert validate_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS, signature) is False


def test_non_string_signature_is_false_not_an_error() -> None:
    signature: object = b"0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert validate_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS, signature) is False  # type: ignore[arg-type]


def test_empty_auth_token_never_validates() -> None:
    signature = reference_signature("", DOC_URL)
    assert not validate_signature("", DOC_URL, None, signature)


def test_comparison_is_constant_time() -> None:
    good = compute_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS)
    with mock.patch("hmac.compare_digest", wraps=hmac.compare_digest) as compare_digest:
        assert validate_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS, good)
    assert compare_digest.called
    assert all(
        isinstance(arg, bytes) for call in compare_digest.call_args_list for arg in call.args
    )


# --- JSON callbacks: bodySHA256 -------------------------------------------------------------

JSON_BODY = b'{"property": "value", "boolean": true}'
JSON_URL = f"https://mycompany.com/myapp.php?foo=1&bodySHA256={sha256_hex(JSON_BODY)}"


@pytest.mark.parametrize("body", [JSON_BODY, JSON_BODY.decode()])
def test_json_body_with_matching_hash_validates(body: str | bytes) -> None:
    # The signature covers the URL alone; the body is bound through bodySHA256.
    signature = reference_signature(DOC_TOKEN, JSON_URL)
    assert validate_signature(DOC_TOKEN, JSON_URL, body, signature)


def test_json_hash_accepted_in_uppercase_hex() -> None:
    url = JSON_URL.replace(sha256_hex(JSON_BODY), sha256_hex(JSON_BODY).upper())
    assert validate_signature(DOC_TOKEN, url, JSON_BODY, reference_signature(DOC_TOKEN, url))


def test_json_body_not_matching_hash_fails() -> None:
    signature = reference_signature(DOC_TOKEN, JSON_URL)
    assert not validate_signature(DOC_TOKEN, JSON_URL, JSON_BODY + b" ", signature)


def test_json_wrong_hash_in_url_fails_even_if_url_is_signed() -> None:
    url = f"https://mycompany.com/myapp.php?bodySHA256={'0' * 64}"
    assert not validate_signature(DOC_TOKEN, url, JSON_BODY, reference_signature(DOC_TOKEN, url))


@pytest.mark.parametrize(
    "url",
    [
        "https://mycompany.com/myapp.php?foo=1",
        f"https://mycompany.com/h?bodySHA256={sha256_hex(JSON_BODY)}&bodySHA256=00",
        "https://mycompany.com/h?bodySHA256=%C3%A9",
    ],
)
def test_json_body_without_a_single_usable_hash_fails(url: str) -> None:
    assert not validate_signature(DOC_TOKEN, url, JSON_BODY, reference_signature(DOC_TOKEN, url))


def test_json_signature_over_url_plus_params_is_rejected() -> None:
    signature = compute_signature(DOC_TOKEN, JSON_URL, {"property": "value"})
    assert not validate_signature(DOC_TOKEN, JSON_URL, JSON_BODY, signature)


@pytest.mark.parametrize("params", [None, {}, {"property": "value"}])
def test_url_declaring_a_body_hash_needs_the_body(params: dict[str, str] | None) -> None:
    signature = compute_signature(DOC_TOKEN, JSON_URL, params)
    assert not validate_signature(DOC_TOKEN, JSON_URL, params, signature)


# --- public URL reconstruction and validate_request -----------------------------------------

INTERNAL = "http://10.0.0.5:8080/twilio/hook?b=2&a=%2B1&empty="
PUBLIC = "https://hooks.example.com/twilio/hook?b=2&a=%2B1&empty="
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hooks.example.com"}


def test_own_origin_is_kept_by_default() -> None:
    assert public_request_url(INTERNAL, FORWARDED) == INTERNAL


def test_trusted_forwarded_headers_replace_only_the_origin() -> None:
    assert public_request_url(INTERNAL, FORWARDED, trust_forwarded=True) == PUBLIC


def test_last_forwarded_entry_wins_and_names_are_case_insensitive() -> None:
    # The nearest proxy appends its own entry; earlier ones came from the client.
    headers = {
        "x-forwarded-proto": "http, HTTPS",
        "x-forwarded-host": "evil.example, hooks.example.com",
    }
    assert public_request_url(INTERNAL, headers, trust_forwarded=True) == PUBLIC


def test_client_supplied_forwarded_host_cannot_redirect_validation() -> None:
    # Attack (issue 11 item 13): a request Twilio signed for another app of the same account
    # (evil.example), replayed here with the client's own X-Forwarded-Host prepended.
    evil_url = PUBLIC.replace("hooks.example.com", "evil.example")
    headers = {
        **_form_request(evil_url, FORM_PAIRS),
        "X-Forwarded-Proto": "https, https",
        "X-Forwarded-Host": "evil.example, hooks.example.com",
    }
    assert not validate_request(
        DOC_TOKEN, url=INTERNAL, headers=headers, body=FORM_BODY, trust_forwarded=True
    )
    headers["X-Twilio-Signature"] = _form_request(PUBLIC, FORM_PAIRS)["X-Twilio-Signature"]
    assert validate_request(
        DOC_TOKEN, url=INTERNAL, headers=headers, body=FORM_BODY, trust_forwarded=True
    )


def test_missing_forwarded_headers_fall_back_to_own_origin() -> None:
    assert public_request_url(INTERNAL, {}, trust_forwarded=True) == INTERNAL


def test_public_base_url_wins_and_may_carry_a_prefix() -> None:
    assert public_request_url(INTERNAL, FORWARDED, public_base_url="https://a.example/") == (
        "https://a.example/twilio/hook?b=2&a=%2B1&empty="
    )
    assert public_request_url(
        "http://10.0.0.5/hook?x=1", {}, public_base_url="https://a.example/prefix"
    ) == ("https://a.example/prefix/hook?x=1")


@pytest.mark.parametrize("base", ["hooks.example.com", "ftp://x", "https://x/?q=1", "https://"])
def test_malformed_public_base_url_is_a_configuration_error(base: str) -> None:
    with pytest.raises(ValueError, match=r"public_base_url|absolute|host"):
        validate_request(DOC_TOKEN, url=INTERNAL, headers={}, public_base_url=base)


def _form_request(url: str, pairs: list[tuple[str, str]], token: str = DOC_TOKEN) -> dict[str, str]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "X-Twilio-Signature": compute_signature(token, url, grouped),
    }


FORM_PAIRS = [("To", "+18005551212"), ("Digits", "2"), ("Digits", "1"), ("Body", "a b&c")]
FORM_BODY = urlencode(FORM_PAIRS).encode()


def test_validate_request_with_trusted_forwarded_headers() -> None:
    headers = {**_form_request(PUBLIC, FORM_PAIRS), **FORWARDED}
    assert validate_request(
        DOC_TOKEN, url=INTERNAL, headers=headers, body=FORM_BODY, trust_forwarded=True
    )
    assert not validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, body=FORM_BODY)


def test_validate_request_with_public_base_url() -> None:
    headers = _form_request(PUBLIC, FORM_PAIRS)
    assert validate_request(
        DOC_TOKEN,
        url=INTERNAL,
        headers=headers,
        body=FORM_BODY,
        public_base_url="https://hooks.example.com",
    )


def test_validate_request_keeps_query_exactly_as_received() -> None:
    # Re-encoding %2B or re-ordering b/a would change what Twilio signed.
    headers = _form_request(INTERNAL, FORM_PAIRS)
    assert validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, body=FORM_BODY)
    requoted = INTERNAL.replace("%2B", "+")
    assert not validate_request(DOC_TOKEN, url=requoted, headers=headers, body=FORM_BODY)


def test_validate_request_accepts_a_preparsed_form() -> None:
    headers = _form_request(INTERNAL, FORM_PAIRS)
    form = MultiDict(FORM_PAIRS)
    assert validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, form=form)


def test_validate_request_form_body_must_match() -> None:
    headers = _form_request(INTERNAL, FORM_PAIRS)
    tampered = urlencode([*FORM_PAIRS[:-1], ("Body", "other")]).encode()
    assert not validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, body=tampered)
    assert not validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, body=b"%FF=%FE")


@pytest.mark.parametrize("charset", ["latin-1", "ISO-8859-1", "cp1252", "utf-16", "no-such"])
def test_validate_request_refuses_a_form_in_another_charset(charset: str) -> None:
    # Attack (issue 11 item 15): a body Twilio signed, relabelled so that a framework decoding
    # in the declared charset hands the handler "Ã©" where "é" was signed.
    pairs = [("Body", "é")]
    headers = _form_request(INTERNAL, pairs)
    body = urlencode(pairs).encode()
    assert validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, body=body)
    headers["Content-Type"] = f"application/x-www-form-urlencoded; charset={charset}"
    assert not validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, body=body)
    assert not validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, form=dict(pairs))


@pytest.mark.parametrize("charset", ["utf-8", "UTF8", '"utf-8"', "utf_8"])
def test_validate_request_accepts_utf8_under_any_spelling(charset: str) -> None:
    headers = _form_request(INTERNAL, FORM_PAIRS)
    headers["Content-Type"] = f"application/x-www-form-urlencoded;charset={charset}"
    assert validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, body=FORM_BODY)


@pytest.mark.parametrize(
    ("body", "signed"),
    [
        # Raw UTF-8: Starlette decodes unencoded bytes as Latin-1.
        ("Body=é".encode(), {"Body": "é"}),
        # A raw trailing space: aiohttp's post() strips it.
        (b"Body=x ", {"Body": "x "}),
        (b"Body=a\tb", {"Body": "a\tb"}),
    ],
)
def test_validate_request_refuses_unencoded_bytes_in_a_form(
    body: bytes, signed: dict[str, str]
) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": compute_signature(DOC_TOKEN, INTERNAL, signed),
    }
    assert not validate_request(DOC_TOKEN, url=INTERNAL, headers=headers, body=body)


def test_validate_request_json_callback() -> None:
    url = f"http://10.0.0.5/cb?bodySHA256={sha256_hex(JSON_BODY)}"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": compute_signature(DOC_TOKEN, url),
    }
    assert validate_request(DOC_TOKEN, url=url, headers=headers, body=JSON_BODY)
    assert not validate_request(DOC_TOKEN, url=url, headers=headers, body=b"{}")


def test_validate_request_json_callback_ignores_an_empty_parsed_form() -> None:
    # Frameworks hand out an empty form for JSON bodies; the body must still be checked.
    url = f"http://10.0.0.5/cb?bodySHA256={sha256_hex(JSON_BODY)}"
    headers = {"X-Twilio-Signature": compute_signature(DOC_TOKEN, url)}
    assert validate_request(DOC_TOKEN, url=url, headers=headers, body=JSON_BODY, form={})
    assert not validate_request(DOC_TOKEN, url=url, headers=headers, body=b"{}", form={})


def test_validate_request_rejects_a_body_no_signature_covers() -> None:
    url = "http://10.0.0.5/cb"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": compute_signature(DOC_TOKEN, url),
    }
    assert validate_request(DOC_TOKEN, url=url, headers=headers)
    assert not validate_request(DOC_TOKEN, url=url, headers=headers, body=JSON_BODY)


def test_validate_request_without_signature_header_or_with_bad_url_is_false() -> None:
    assert not validate_request(DOC_TOKEN, url=INTERNAL, headers={}, body=FORM_BODY)
    headers = _form_request(INTERNAL, FORM_PAIRS)
    assert not validate_request(DOC_TOKEN, url="/relative?x=1", headers=headers, body=FORM_BODY)


# --- the auth token never leaks -------------------------------------------------------------


def test_token_absent_from_middleware_repr() -> None:
    middleware = twilio_signature_middleware(SECRET)
    assert SECRET not in repr(middleware)


def test_unencodable_token_error_does_not_quote_it() -> None:
    bad_token = "tok\ud800SECRET"
    with pytest.raises(ValueError) as excinfo:
        compute_signature(bad_token, DOC_URL)
    assert "SECRET" not in str(excinfo.value)
    assert excinfo.value.__cause__ is None


@pytest.mark.parametrize("token", ["", None])
def test_middleware_factory_requires_a_token(token: str | None) -> None:
    with pytest.raises(ValueError, match="auth_token"):
        twilio_signature_middleware(token)  # type: ignore[arg-type]


# --- aiohttp, against a real loopback server ------------------------------------------------


async def _echo_form(request: web.Request) -> web.Response:
    form = await request.post()
    return web.json_response({"Digits": form.getall("Digits"), "Body": form["Body"]})


async def _echo_json(request: web.Request) -> web.Response:
    return web.json_response(await request.json())


@asynccontextmanager
async def serve(**options: object) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    hooks = web.Application(
        middlewares=[twilio_signature_middleware(SECRET, **options)]  # type: ignore[arg-type]
    )
    hooks.router.add_post("/form", _echo_form)
    hooks.router.add_post("/json", _echo_json)
    app = web.Application()
    app.add_subapp("/twilio/", hooks)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


def _server_url(client: TestClient[web.Request, web.Application], path_qs: str) -> str:
    return f"http://127.0.0.1:{client.port}{path_qs}"


async def test_aiohttp_valid_form_reaches_handler_with_body_intact() -> None:
    async with serve() as client:
        # Lowercase escapes and %7e: anything that re-quotes the URL would break the match.
        path = "/twilio/form?x=%2B1&y=%7e&z=%e2%9c%93"
        url = _server_url(client, path)
        headers = _form_request(url, FORM_PAIRS, token=SECRET)
        # encoded=True so the client sends the escapes untouched, as Twilio does.
        response = await client.session.post(
            URL(url, encoded=True), data=FORM_BODY, headers=headers
        )
        assert response.status == 200
        assert await response.json() == {"Digits": ["2", "1"], "Body": "a b&c"}


async def test_aiohttp_mis_signed_form_is_forbidden(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with serve() as client:
        path = "/twilio/form"
        headers = _form_request(_server_url(client, path), FORM_PAIRS, token="wrong-token")
        response = await client.post(path, data=FORM_BODY, headers=headers)
        assert response.status == 403
        assert SECRET not in await response.text()
    assert "Rejected POST /twilio/form" in caplog.text
    assert SECRET not in caplog.text
    assert all(SECRET not in repr(record.args) for record in caplog.records)


async def test_aiohttp_rejection_log_cannot_be_forged(caplog: pytest.LogCaptureFixture) -> None:
    # Attack (issue 11 item 14): %0A in the path became a newline in the log, forging a line.
    caplog.set_level(logging.WARNING)
    forged = "/twilio/form%0A2026-12-01%20WARNING%20Accepted%20POST%20/admin%1B[2J%E2%80%AE"
    async with serve() as client:
        response = await client.session.post(
            URL(_server_url(client, forged + "?token=q"), encoded=True),
            data=FORM_BODY,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status == 403
    [record] = [r for r in caplog.records if r.getMessage().startswith("Rejected")]
    message = record.getMessage()
    assert message == (f"Rejected POST {forged}: missing or invalid X-Twilio-Signature")
    assert "\n" not in message and "\x1b" not in message


async def test_aiohttp_rejection_log_escapes_and_bounds_the_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    hooks = web.Application(middlewares=[twilio_signature_middleware(SECRET)])
    hooks.router.add_post("/{tail:.*}", _echo_form)
    app = web.Application()
    app.add_subapp("/twilio/", hooks)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        # A backslash stays visibly distinct from an escape sequence; the path is cut short.
        path = "/twilio/a\\b" + "c" * 5000
        response = await client.session.post(URL(_server_url(client, path), encoded=True))
        assert response.status == 403
    [message] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Rejected")]
    assert message == (
        "Rejected POST /twilio/a\\\\b" + "c" * 189 + "...: missing or invalid X-Twilio-Signature"
    )


async def test_aiohttp_form_relabelled_latin1_is_forbidden() -> None:
    # The handler would read request.post() in Latin-1: "Ã©" where Twilio signed "é".
    reached: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        reached.append(str((await request.post())["Body"]))
        return web.Response()

    hooks = web.Application(middlewares=[twilio_signature_middleware(SECRET)])
    hooks.router.add_post("/form", handler)
    app = web.Application()
    app.add_subapp("/twilio/", hooks)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        body = urlencode({"Body": "é"}).encode()
        signature = compute_signature(SECRET, _server_url(client, "/twilio/form"), {"Body": "é"})
        for charset, status in [("latin-1", 403), ("utf-8", 200), ("UTF8", 200)]:
            headers = {
                "Content-Type": f"application/x-www-form-urlencoded; charset={charset}",
                "X-Twilio-Signature": signature,
            }
            response = await client.post("/twilio/form", data=body, headers=headers)
            assert (charset, response.status) == (charset, status)
    assert reached == ["é", "é"]


async def test_aiohttp_form_is_checked_as_the_handler_reads_it() -> None:
    # aiohttp's post() strips a trailing space: "x " was signed, the handler would read "x".
    async with serve() as client:
        url = _server_url(client, "/twilio/form")
        for signed, status in [
            ({"Body": "x ", "Digits": "1"}, 403),
            ({"Body": "x", "Digits": "1"}, 200),
        ]:
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": compute_signature(SECRET, url, signed),
            }
            response = await client.post("/twilio/form", data=b"Digits=1&Body=x ", headers=headers)
            assert response.status == status


async def test_aiohttp_unsigned_request_is_forbidden() -> None:
    async with serve() as client:
        response = await client.post(
            "/twilio/form",
            data=FORM_BODY,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status == 403


async def test_aiohttp_json_callback_valid_and_invalid() -> None:
    async with serve() as client:
        path = f"/twilio/json?bodySHA256={sha256_hex(JSON_BODY)}"
        headers = {
            "Content-Type": "application/json",
            "X-Twilio-Signature": compute_signature(SECRET, _server_url(client, path)),
        }
        valid = await client.post(path, data=JSON_BODY, headers=headers)
        assert valid.status == 200
        assert await valid.json() == json.loads(JSON_BODY)
        tampered = await client.post(path, data=b'{"property": "evil"}', headers=headers)
        assert tampered.status == 403


async def test_aiohttp_public_base_url_and_forwarded_headers() -> None:
    path = "/twilio/form"
    public = "https://hooks.example.com" + path
    headers = _form_request(public, FORM_PAIRS, token=SECRET)
    async with serve(public_base_url="https://hooks.example.com") as client:
        response = await client.post(path, data=FORM_BODY, headers=headers)
        assert response.status == 200
    async with serve(trust_forwarded=True) as client:
        response = await client.post(path, data=FORM_BODY, headers={**headers, **FORWARDED})
        assert response.status == 200
    async with serve() as client:
        response = await client.post(path, data=FORM_BODY, headers={**headers, **FORWARDED})
        assert response.status == 403


async def test_verify_aiohttp_request_directly() -> None:
    results: list[bool] = []

    async def handler(request: web.Request) -> web.Response:
        results.append(await verify_aiohttp_request(request, SECRET))
        return web.Response(text=(await request.read()).decode())

    app = web.Application()
    app.router.add_post("/direct", handler)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        headers = _form_request(_server_url(client, "/direct"), FORM_PAIRS, token=SECRET)
        response = await client.post("/direct", data=FORM_BODY, headers=headers)
        assert await response.text() == FORM_BODY.decode()
    assert results == [True]


# --- properties -----------------------------------------------------------------------------

names = st.text(min_size=1, max_size=12)
texts = st.text(max_size=16)
param_values = st.one_of(texts, st.lists(texts, min_size=1, max_size=4))
params_strategy = st.dictionaries(names, param_values, max_size=6)
urls = st.builds(
    lambda scheme, host, port, tail: f"{scheme}://{host}{port}/{tail}",
    st.sampled_from(["https", "http"]),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){0,2}", fullmatch=True),
    st.sampled_from(["", ":443", ":80", ":8443"]),
    st.text(max_size=30),
)


@given(url=urls, params=params_strategy, token=st.text(min_size=1, max_size=40))
def test_property_computed_signature_validates(
    url: str, params: dict[str, str | list[str]], token: str
) -> None:
    assert validate_signature(token, url, params, compute_signature(token, url, params))


@given(url=urls, params=params_strategy, data=st.data())
def test_property_changing_a_value_invalidates(
    url: str, params: dict[str, str | list[str]], data: st.DataObject
) -> None:
    signature = compute_signature(SECRET, url, params)
    key = data.draw(st.sampled_from(sorted(params)) if params else names)
    current = params.get(key)
    changed: str | list[str]
    if isinstance(current, list):
        # Adding an unseen value always lengthens the signed string.
        extra = data.draw(texts.filter(lambda value: value not in current))
        changed = [*current, extra]
    else:
        changed = data.draw(texts.filter(lambda value: value != current))
    assert not validate_signature(SECRET, url, {**params, key: changed}, signature)


@given(url=urls, params=params_strategy, suffix=st.text(min_size=1, max_size=5))
def test_property_changing_the_url_invalidates(
    url: str, params: dict[str, str | list[str]], suffix: str
) -> None:
    signature = compute_signature(SECRET, url, params)
    assert not validate_signature(SECRET, url + suffix, params, signature)
