"""Twilio's request signature: computing it, checking it, rebuilding the URL Twilio called.

Framework-neutral; the aiohttp and ASGI adapters and the emulator (which signs the callbacks it
sends) build on these functions.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qs, parse_qsl

__all__ = [
    "FORM_CONTENT_TYPE",
    "SIGNATURE_HEADER",
    "FormParams",
    "checked_base_url",
    "compute_signature",
    "declared_body_hashes",
    "is_utf8_charset",
    "loggable",
    "public_request_url",
    "validate_request",
    "validate_signature",
]

SIGNATURE_HEADER = "X-Twilio-Signature"

FormParams = Mapping[str, str | Sequence[str]]

_DEFAULT_PORTS = {"https": "443", "http": "80"}
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# Long enough for any real webhook path, short enough that a hostile one cannot flood the log.
_LOG_TEXT_LIMIT = 200


def compute_signature(auth_token: str, url: str, params: FormParams | None = None) -> str:
    """Return the ``X-Twilio-Signature`` Twilio sends for a request to ``url`` with ``params``.

    A value may be a sequence for a repeated field; a multidict (aiohttp's ``request.post()``,
    Starlette's ``request.form()``) contributes every value of a repeated key.

    Args:
        auth_token: your account's auth token, the HMAC-SHA1 key Twilio signs with.
        url: the full public URL Twilio called, query included, exactly as Twilio sent it.
        params: the form fields of a form callback, name -> value or sequence of values (a multidict
            works too). Default None: sign the URL alone (JSON callbacks and GET requests).
    """
    parts = [url]
    if params:
        for name in sorted(set(params)):
            # Distinct values, sorted: what Twilio's current Python and Node validators both
            # sign (twilio-python kept duplicates in its first fix for issue #613, then moved
            # to distinct values), so a field repeated with one value counts once.
            for value in sorted(set(_values_of(params, name))):
                parts.append(name)
                parts.append(value)
    digest = hmac.new(_hmac_key(auth_token), "".join(parts).encode("utf-8"), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode("ascii")


def validate_signature(
    auth_token: str,
    url: str,
    params_or_body: FormParams | str | bytes | None,
    signature: str | None,
) -> bool:
    """Whether ``signature`` is Twilio's for this callback.

    ``params_or_body`` is the form fields of a form callback, or the raw body of a JSON
    callback, whose SHA-256 must match the URL's ``bodySHA256`` query value. A URL declaring
    ``bodySHA256`` never validates without the body, which would otherwise go unchecked. Never
    raises for a missing, empty or malformed signature: the answer is simply ``False``.

    Args:
        auth_token: your account's auth token (the HMAC-SHA1 key); an empty token never
            validates.
        url: the full public URL Twilio called (see :func:`public_request_url`).
        params_or_body: the form fields of a form callback (mapping or multidict), or the raw body
            (str or bytes) of a JSON callback; None when there is no body.
        signature: the ``X-Twilio-Signature`` header's value, or None when it is missing.
    """
    supplied = _ascii_or_none(signature)
    if not supplied or not auth_token:
        return False
    declared_hashes = declared_body_hashes(url)
    params: FormParams | None
    if isinstance(params_or_body, str | bytes):
        if not _body_matches(params_or_body, declared_hashes):
            return False
        params = None
    elif declared_hashes:
        return False
    else:
        params = params_or_body
    matched = False
    try:
        for candidate in _port_variants(url):
            expected = compute_signature(auth_token, candidate, params).encode("ascii")
            matched |= hmac.compare_digest(expected, supplied)
    except UnicodeEncodeError:
        # Text that has no UTF-8 form (lone surrogates) cannot be what Twilio signed.
        return False
    return matched


def public_request_url(
    url: str,
    headers: Mapping[str, str],
    *,
    public_base_url: str | None = None,
    trust_forwarded: bool = False,
) -> str:
    """The URL Twilio called, rebuilt from the absolute ``url`` the server saw.

    Only the origin is replaced: by ``public_base_url`` (which may carry a path prefix a proxy
    strips), else by the last entry of ``X-Forwarded-Proto``/``X-Forwarded-Host`` (the one the
    nearest proxy appended) when ``trust_forwarded``, else kept: then the ``Host`` header the
    client sent is trusted. The path and query stay byte-for-byte as received, because Twilio
    signs them as sent.
    Raises ``ValueError`` if ``url`` or ``public_base_url`` is not an absolute URL.

    Args:
        url: the absolute URL the server received the request on (scheme, host, path and query).
        headers: the request's headers, read only when ``trust_forwarded`` is set.
        public_base_url: the origin Twilio is configured to call (``https://host[:port]``,
            optionally with a path prefix a proxy strips); replaces the origin the server saw.
            Default None: keep it.
        trust_forwarded: rebuild the origin from the last ``X-Forwarded-Proto`` and
            ``X-Forwarded-Host`` values (only behind a proxy that appends them). Default False.
    """
    scheme, authority, tail = _split_url(url)
    if public_base_url is not None:
        return checked_base_url(public_base_url) + tail
    if trust_forwarded:
        forwarded_proto = _nearest_forwarded(headers, "X-Forwarded-Proto")
        scheme = forwarded_proto.lower() if forwarded_proto else scheme
        authority = _nearest_forwarded(headers, "X-Forwarded-Host") or authority
    return f"{scheme}://{authority}{tail}"


def validate_request(
    auth_token: str,
    *,
    url: str,
    headers: Mapping[str, str],
    body: bytes | str = b"",
    form: FormParams | None = None,
    public_base_url: str | None = None,
    trust_forwarded: bool = False,
) -> bool:
    """Whether an incoming request carries a valid Twilio signature; framework-neutral.

    ``url`` is the absolute URL as the server received it (see :func:`public_request_url`),
    ``body`` the raw body. Pass ``form`` if the framework has already consumed and parsed the
    body (repeated keys preserved). A ``bodySHA256`` query value selects the JSON path, whatever
    ``form`` says; otherwise an ``application/x-www-form-urlencoded`` body is parsed as the
    signed fields. Any other non-empty body is rejected, since no signature would cover it, and
    so is a form declaring a charset other than UTF-8 or holding raw (unencoded) bytes outside
    printable ASCII: frameworks would read other values from it than Twilio signed.

    Args:
        auth_token: your account's auth token (the HMAC-SHA1 key); an empty token never
            validates.
        url: the absolute URL as the server received it, query included.
        headers: the request's headers (the signature, ``Content-Type``, forwarded values).
        body: the raw request body, bytes or text. Default empty (no body).
        form: the parsed form fields when the framework already consumed the body, repeated keys
            kept. Default None: parse ``body`` instead.
        public_base_url: the origin Twilio is configured to call (``https://host[:port]``,
            optionally with a path prefix a proxy strips); replaces the origin the server saw.
            Default None: keep it.
        trust_forwarded: rebuild the origin from the last ``X-Forwarded-Proto`` and
            ``X-Forwarded-Host`` values (only behind a proxy that appends them). Default False.
    """
    if public_base_url is not None:
        checked_base_url(public_base_url)
    try:
        public_url = public_request_url(
            url, headers, public_base_url=public_base_url, trust_forwarded=trust_forwarded
        )
    except ValueError:
        return False
    signature = _header(headers, SIGNATURE_HEADER)
    if declared_body_hashes(public_url):
        return validate_signature(auth_token, public_url, body, signature)
    if form is not None:
        charset = _media_type(_header(headers, "Content-Type"))[1]
        return is_utf8_charset(charset) and validate_signature(
            auth_token, public_url, form, signature
        )
    content_type, charset = _media_type(_header(headers, "Content-Type"))
    if content_type == FORM_CONTENT_TYPE:
        if not is_utf8_charset(charset):
            return False
        parsed = _parse_form(body)
        return parsed is not None and validate_signature(auth_token, public_url, parsed, signature)
    if body:
        return False
    return validate_signature(auth_token, public_url, None, signature)


def _values_of(params: FormParams, name: str) -> list[str]:
    raw: Iterable[str | Sequence[str]]
    # A multidict's params[name] is only one of a repeated key's values: aiohttp's multidict
    # offers getall(), Starlette's and Werkzeug's offer getlist().
    getall = getattr(params, "getall", None) or getattr(params, "getlist", None)
    raw = getall(name) if callable(getall) else (params[name],)
    values: list[str] = []
    for item in raw:
        if isinstance(item, str):
            values.append(item)
        else:
            values.extend(item)
    return values


def _hmac_key(auth_token: str) -> bytes:
    try:
        return auth_token.encode("utf-8")
    except UnicodeEncodeError:
        # The default message would quote part of the token.
        raise ValueError("auth token is not encodable as UTF-8") from None


def _ascii_or_none(text: str | None) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        return None


def declared_body_hashes(url: str) -> list[str]:
    query = url.partition("?")[2].partition("#")[0]
    return parse_qs(query, keep_blank_values=True).get("bodySHA256", [])


def _body_matches(body: str | bytes, declared_hashes: list[str]) -> bool:
    if len(declared_hashes) != 1:
        return False
    expected_hex = _ascii_or_none(declared_hashes[0].lower())
    if expected_hex is None:
        return False
    try:
        raw = body.encode("utf-8") if isinstance(body, str) else body
    except UnicodeEncodeError:
        return False
    actual_hex = hashlib.sha256(raw).hexdigest().encode("ascii")
    return hmac.compare_digest(actual_hex, expected_hex)


def _split_url(url: str) -> tuple[str, str, str]:
    """Split into scheme, authority and the rest, by text, so the rest is never re-encoded."""
    scheme, separator, rest = url.partition("://")
    if not separator or not scheme or not rest:
        raise ValueError("not an absolute URL")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    if end == 0:
        raise ValueError("URL has no host")
    return scheme, rest[:end], rest[end:]


def _port_variants(url: str) -> tuple[str, ...]:
    """The URL without its port and with its port (the scheme's default if none was given).

    Twilio has signed both forms over time; its own SDKs accept either, and so do we.
    """
    try:
        scheme, authority, tail = _split_url(url)
    except ValueError:
        return (url,)
    userinfo, at, host_port = authority.rpartition("@")
    if host_port.startswith("["):
        bracket = host_port.find("]") + 1
        host, port = host_port[:bracket], host_port[bracket:].removeprefix(":")
    else:
        host, _, port = host_port.partition(":")
    prefix = f"{scheme}://{userinfo}{at}{host}"
    port = port or _DEFAULT_PORTS.get(scheme.lower(), "")
    variants = [prefix + tail]
    if port:
        variants.append(f"{prefix}:{port}{tail}")
    return tuple(dict.fromkeys(variants))


def checked_base_url(base_url: str) -> str:
    scheme, _, tail = _split_url(base_url)
    if scheme.lower() not in _DEFAULT_PORTS or "?" in tail or "#" in tail:
        raise ValueError("public_base_url must be an http(s) URL without query or fragment")
    return base_url.rstrip("/")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    # Plain dicts are case-sensitive; HTTP header names are not.
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _nearest_forwarded(headers: Mapping[str, str], name: str) -> str | None:
    # Each proxy appends its own entry, so only the last one was written by the proxy we
    # trust; anything before it came from the client and may be forged.
    value = _header(headers, name)
    last = value.rsplit(",", 1)[-1].strip() if value else ""
    return last or None


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """The lowercased media type and the ``charset`` parameter (unquoted), if any."""
    media_type, *parameters = (content_type or "").split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return media_type.strip().lower(), charset


def is_utf8_charset(charset: str | None) -> bool:
    """Whether a form declared in ``charset`` reads as the UTF-8 Twilio signs.

    Frameworks such as aiohttp decode a form in its declared charset, so a replayed body
    relabelled ``charset=latin-1`` would reach the handler with other values than were signed.
    """
    if charset is None:
        return True
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def _parse_form(body: bytes | str) -> dict[str, list[str]] | None:
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    # Twilio percent-encodes every field, so its bodies are printable ASCII. Anything else
    # (raw UTF-8, Latin-1, whitespace) is read differently by different frameworks: aiohttp
    # strips trailing whitespace, Starlette decodes raw bytes as Latin-1.
    if any(byte < 0x21 or byte > 0x7E for byte in raw):
        return None
    try:
        pairs = parse_qsl(
            raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except ValueError:
        return None
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def loggable(text: str) -> str:
    """``text`` fit for one log line: non-printable characters escaped, length bounded.

    Request paths are attacker-controlled; a raw newline or terminal escape in a log line
    could forge entries or hide the real one.
    """
    if len(text) > _LOG_TEXT_LIMIT:
        text = text[:_LOG_TEXT_LIMIT] + "..."
    return "".join(
        char if char.isprintable() and char != "\\" else ascii(char)[1:-1] for char in text
    )
