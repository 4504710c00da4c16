"""Webhooks Twilio sends to your app: check their signature, read them, answer them.

Twilio signs every callback with HMAC-SHA1 keyed by your account's auth token, over the
public URL it called followed by the form fields (JSON callbacks: over the URL alone, with the
body bound through the URL's ``bodySHA256`` query value).

With aiohttp, put the webhook routes in a sub-app guarded by the middleware::

    hooks = web.Application(middlewares=[twilio_signature_middleware(auth_token)])
    hooks.router.add_post("/proxy/callback", on_proxy_callback)
    app.add_subapp("/twilio/", hooks)

With any ASGI framework (Starlette, FastAPI, Litestar, ...), wrap the app that serves the
webhook routes: ``TwilioSignatureMiddleware(app, auth_token)``.

Behind a proxy or load balancer, pass ``public_base_url="https://hooks.example.com"`` (the
origin configured in Twilio), or ``trust_forwarded=True`` when the proxy appends
``X-Forwarded-Proto``/``X-Forwarded-Host``. Other frameworks call :func:`validate_request`
with the request's URL, headers and raw body.

The Proxy callbacks parse into :class:`InteractionCallback`, :class:`InterceptCallback` and
:class:`OutOfSessionCallback`; :func:`allow_interaction`, :func:`block_interaction`,
:func:`auto_create_session` and :func:`twiml_answer` build the answers.
"""

from ._aiohttp import twilio_signature_middleware, verify_aiohttp_request
from ._answers import (
    WebhookAnswer,
    allow_interaction,
    auto_create_session,
    block_interaction,
    twiml_answer,
)
from ._asgi import IDEMPOTENCY_HEADER, TwilioSignatureMiddleware
from ._callbacks import InteractionCallback, InterceptCallback, OutOfSessionCallback
from ._signature import (
    SIGNATURE_HEADER,
    FormParams,
    compute_signature,
    public_request_url,
    validate_request,
    validate_signature,
)

__all__ = [
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "FormParams",
    "InteractionCallback",
    "InterceptCallback",
    "OutOfSessionCallback",
    "TwilioSignatureMiddleware",
    "WebhookAnswer",
    "allow_interaction",
    "auto_create_session",
    "block_interaction",
    "compute_signature",
    "public_request_url",
    "twilio_signature_middleware",
    "twiml_answer",
    "validate_request",
    "validate_signature",
    "verify_aiohttp_request",
]
