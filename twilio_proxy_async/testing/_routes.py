"""The route table of Proxy v1 and Chat v2 Services, and dispatch to the handlers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from . import _api_services as services
from . import _api_sessions as sessions
from ._errors import METHOD_NOT_ALLOWED, ApiError, ApiRequest, Reply, not_found
from ._store import Store

Handler = Callable[[Store, ApiRequest], Reply]

_PARAM = "{}"


@attrs.frozen
class _Route:
    segments: tuple[str, ...]
    methods: Mapping[str, Handler]


def _route(template: str, **methods: Handler) -> _Route:
    segments = tuple(_PARAM if s.startswith("{") else s for s in template.strip("/").split("/"))
    return _Route(segments, methods)


_SESSION = "/v1/Services/{ServiceSid}/Sessions/{SessionSid}"
_PARTICIPANT = f"{_SESSION}/Participants/{{ParticipantSid}}"

ROUTES = (
    _route("/v1/Services", GET=services.list_services, POST=services.create_service),
    _route(
        "/v1/Services/{Sid}",
        GET=services.fetch_service,
        POST=services.update_service,
        DELETE=services.delete_service,
    ),
    _route(
        "/v1/Services/{ServiceSid}/PhoneNumbers",
        GET=services.list_phone_numbers,
        POST=services.create_phone_number,
    ),
    _route(
        "/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}",
        GET=services.fetch_phone_number,
        POST=services.update_phone_number,
        DELETE=services.delete_phone_number,
    ),
    _route(
        "/v1/Services/{ServiceSid}/Sessions",
        GET=sessions.list_sessions,
        POST=sessions.create_session,
    ),
    _route(
        _SESSION,
        GET=sessions.fetch_session,
        POST=sessions.update_session,
        DELETE=sessions.delete_session,
    ),
    _route(
        f"{_SESSION}/Participants",
        GET=sessions.list_participants,
        POST=sessions.create_participant,
    ),
    _route(_PARTICIPANT, GET=sessions.fetch_participant, DELETE=sessions.delete_participant),
    _route(
        f"{_PARTICIPANT}/MessageInteractions",
        GET=sessions.list_message_interactions,
        POST=sessions.create_message_interaction,
    ),
    _route(f"{_PARTICIPANT}/MessageInteractions/{{Sid}}", GET=sessions.fetch_message_interaction),
    _route(f"{_SESSION}/Interactions", GET=sessions.list_interactions),
    _route(
        f"{_SESSION}/Interactions/{{Sid}}",
        GET=sessions.fetch_interaction,
        DELETE=sessions.delete_interaction,
    ),
    _route("/v2/Services", GET=services.list_chat_services, POST=services.create_chat_service),
    _route(
        "/v2/Services/{Sid}",
        GET=services.fetch_chat_service,
        POST=services.update_chat_service,
        DELETE=services.delete_chat_service,
    ),
)


def resolve(method: str, segments: tuple[str, ...], path: str) -> tuple[Handler, tuple[str, ...]]:
    """Finds the handler and the path parameters, in template order."""
    for route in ROUTES:
        if len(route.segments) != len(segments):
            continue
        params = []
        for expected, actual in zip(route.segments, segments, strict=True):
            if expected == _PARAM:
                if not actual:
                    break
                params.append(actual)
            elif expected != actual:
                break
        else:
            handler = route.methods.get(method)
            if handler is None:
                raise ApiError(405, METHOD_NOT_ALLOWED, f"Method {method} not allowed on {path}")
            return handler, tuple(params)
    raise not_found(path)
