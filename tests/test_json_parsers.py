"""Both JSON parsers (stdlib ``json``, and orjson from the ``speedups`` extra) give the same
models and the same typed errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from aioresponses import aioresponses

from twilio_proxy_async import Client, ResponseValidationError, Service, _json

KS = "KS" + "a" * 32
URL = f"https://proxy.twilio.com/v1/Services/{KS}"
LIST_URL = "https://proxy.twilio.com/v1/Services?PageSize=2"


def parsers() -> list[object]:
    found: list[object] = [pytest.param(json.loads, id="json")]
    try:
        import orjson
    except ImportError:
        found.append(pytest.param(None, id="orjson", marks=pytest.mark.skip("orjson absent")))
    else:
        found.append(pytest.param(orjson.loads, id="orjson"))
    return found


@pytest.fixture(params=parsers(), autouse=True)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: Callable[[bytes], object] = request.param
    monkeypatch.setattr(_json, "loads", loads)


async def test_unicode_and_escapes_decode_the_same(client: Client, mocked: aioresponses) -> None:
    name = 'caf\u00e9 \u2603 \U0001f600 "q" \\ /'
    mocked.get(URL, body=json.dumps({"sid": KS, "unique_name": name}).encode())
    assert await client.proxy.services.fetch(KS) == Service(sid=KS, unique_name=name)


async def test_list_pages_decode_the_same(client: Client, mocked: aioresponses) -> None:
    records = [{"sid": "KS" + str(n) * 32, "default_ttl": n} for n in range(2)]
    mocked.get(LIST_URL, payload={"services": records, "meta": {"key": "services"}})
    got = [s async for s in client.proxy.services.list(page_size=2)]
    assert got == [Service(sid=r["sid"], default_ttl=r["default_ttl"]) for r in records]


@pytest.mark.parametrize(
    "body",
    [b'{"sid": "KS', b"<html>502</html>", b"\xff\xfe{}", b"", b'{"sid": NaN}x', b"[1, 2"],
    ids=["truncated", "html", "bad-utf8", "empty", "trailing", "open-array"],
)
async def test_bad_bodies_raise_response_validation_error_with_the_raw_body(
    client: Client, mocked: aioresponses, body: bytes
) -> None:
    mocked.get(URL, body=body)
    with pytest.raises(ResponseValidationError, match="not valid JSON") as caught:
        await client.proxy.services.fetch(KS)
    assert caught.value.body == body
