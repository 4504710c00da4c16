"""The aiohttp adapter: check a ``web.Request``, or guard a sub-app with a middleware."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ._signature import (
    FORM_CONTENT_TYPE,
    SIGNATURE_HEADER,
    FormParams,
    checked_base_url,
    declared_body_hashes,
    is_utf8_charset,
    loggable,
    validate_request,
)

__all__ = ["twilio_signature_middleware", "verify_aiohttp_request"]

# One logger for every webhook adapter, named after the public package.
logger = logging.getLogger("twilio_proxy_async.webhooks")


async def verify_aiohttp_request(
    request: web.Request,
    auth_token: str,
    *,
    public_base_url: str | None = None,
    trust_forwarded: bool = False,
) -> bool:
    """Whether an aiohttp request carries a valid Twilio signature.

    Reads the body through aiohttp's cache, so the handler can still call ``read()``,
    ``post()`` or ``json()`` afterwards. A form is checked as ``request.post()`` parses it,
    which is what the handler will read.

    Args:
        request: the aiohttp request to check; its body is read and stays cached for the handler.
        auth_token: your account's auth token (the HMAC-SHA1 key); an empty token never
            validates.
        public_base_url: the origin Twilio is configured to call (``https://host[:port]``,
            optionally with a path prefix a proxy strips); replaces the origin the server saw.
            Default None: keep it.
        trust_forwarded: rebuild the origin from the last ``X-Forwarded-Proto`` and
            ``X-Forwarded-Host`` values (only behind a proxy that appends them). Default False.
    """
    body = await request.read()
    # raw_path is the path and query exactly as sent; request.url would re-quote them.
    url = f"{request.scheme}://{request.host}{request.raw_path}"
    form: FormParams | None = None
    if request.content_type == FORM_CONTENT_TYPE and not declared_body_hashes(url):
        if not is_utf8_charset(request.charset):
            return False
        try:
            posted = await request.post()
        except ValueError:
            # Not valid UTF-8 once unquoted: not something Twilio signed.
            return False
        fields: dict[str, list[str]] = {}
        for name, value in posted.items():
            if not isinstance(value, str):
                return False
            fields.setdefault(name, []).append(value)
        form = fields
    return validate_request(
        auth_token,
        url=url,
        headers=request.headers,
        body=body,
        form=form,
        public_base_url=public_base_url,
        trust_forwarded=trust_forwarded,
    )


def twilio_signature_middleware(
    auth_token: str,
    *,
    public_base_url: str | None = None,
    trust_forwarded: bool = False,
) -> Middleware:
    """An aiohttp middleware answering 403 to any request without a valid Twilio signature.

    It guards every route of the application it is installed on, so install it on a sub-app
    holding only the webhook routes.

    Args:
        auth_token: your account's auth token (the HMAC-SHA1 key); must be a non-empty string, else
            ``ValueError`` at construction.
        public_base_url: the origin Twilio is configured to call (``https://host[:port]``,
            optionally with a path prefix a proxy strips); replaces the origin the server saw.
            Default None: keep it.
        trust_forwarded: rebuild the origin from the last ``X-Forwarded-Proto`` and
            ``X-Forwarded-Host`` values (only behind a proxy that appends them). Default False.
    """
    if not isinstance(auth_token, str) or not auth_token:
        raise ValueError("auth_token must be a non-empty string")
    if public_base_url is not None:
        checked_base_url(public_base_url)

    @web.middleware
    async def twilio_signature(request: web.Request, handler: Handler) -> web.StreamResponse:
        valid = await verify_aiohttp_request(
            request,
            auth_token,
            public_base_url=public_base_url,
            trust_forwarded=trust_forwarded,
        )
        if not valid:
            logger.warning(
                "Rejected %s %s: missing or invalid %s",
                loggable(request.method),
                loggable(request.raw_path.partition("?")[0]),
                SIGNATURE_HEADER,
            )
            raise web.HTTPForbidden(text="Twilio signature validation failed")
        return await handler(request)

    return twilio_signature
