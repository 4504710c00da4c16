"""twilio_proxy_async: an asyncio-native SDK for Twilio Proxy v1 and Chat v2 Services."""

from ._client import ChatV2, Client, ProxyV1
from ._exceptions import (
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    InvalidParameterError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    TwilioAPIError,
    TwilioConnectionError,
    TwilioError,
    TwilioTimeoutError,
)
from ._pagination import AsyncPager, Cursor, Page, PageMeta
from ._retry import RetryPolicy
from ._version import __version__
from .models.chat_service import ChatService, WebhookMethod
from .models.service import GeoMatchLevel, NumberSelectionBehavior, Service

__all__ = [
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "ChatService",
    "ChatV2",
    "Client",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "Cursor",
    "GeoMatchLevel",
    "InvalidParameterError",
    "NotFoundError",
    "NumberSelectionBehavior",
    "Page",
    "PageMeta",
    "PaginationError",
    "PermissionDeniedError",
    "ProxyV1",
    "RateLimitError",
    "ResponseValidationError",
    "RetryPolicy",
    "ServerError",
    "Service",
    "TwilioAPIError",
    "TwilioConnectionError",
    "TwilioError",
    "TwilioTimeoutError",
    "WebhookMethod",
    "__version__",
]
