"""twilio_proxy_async: an asyncio-native SDK for Twilio Proxy v1 and Chat v2 Services."""

from ._client import ChatV2, Client, ProxyV1
from ._exceptions import (
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
from ._hooks import RequestEvent
from ._http import MAX_RESPONSE_BYTES, AiohttpTransport, HTTPTransport, RawResponse, SendError
from ._limiter import ConcurrencyLimiter
from ._logging import configure_from_environment as _configure_logging
from ._pagination import AsyncPager, Cursor, Page, PageMeta
from ._serialization import from_dict, to_dict
from ._version import __version__
from .models.chat_service import ChatService, WebhookMethod
from .models.interaction import Interaction, InteractionResourceStatus, InteractionType
from .models.message_interaction import MessageInteraction
from .models.participant import Participant
from .models.phone_number import PhoneNumber
from .models.service import GeoMatchLevel, NumberSelectionBehavior, Service
from .models.session import Session, SessionMode, SessionStatus
from .models.short_code import ShortCode

__all__ = [
    "MAX_RESPONSE_BYTES",
    "AiohttpTransport",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "ChatService",
    "ChatV2",
    "Client",
    "ClientClosedError",
    "ConcurrencyLimiter",
    "ConfigurationError",
    "ConflictError",
    "Cursor",
    "EventLoopError",
    "GeoMatchLevel",
    "HTTPTransport",
    "Interaction",
    "InteractionResourceStatus",
    "InteractionType",
    "InvalidParameterError",
    "MessageInteraction",
    "NotFoundError",
    "NumberSelectionBehavior",
    "Page",
    "PageMeta",
    "PaginationError",
    "Participant",
    "PermissionDeniedError",
    "PhoneNumber",
    "ProxyV1",
    "RateLimitError",
    "RawResponse",
    "RequestEvent",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SendError",
    "ServerError",
    "Service",
    "Session",
    "SessionMode",
    "SessionStatus",
    "ShortCode",
    "TwilioAPIError",
    "TwilioConnectionError",
    "TwilioError",
    "TwilioTimeoutError",
    "WebhookMethod",
    "__version__",
    "from_dict",
    "to_dict",
]

_configure_logging()
