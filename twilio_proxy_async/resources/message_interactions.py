"""Proxy v1 MessageInteractions:
``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._pagination import AsyncPager
from .._params import Param, check_sid, form_items, path
from ..models.message_interaction import MessageInteraction
from ._base import Resource

__all__ = ["MessageInteractions"]

_FIELDS = {
    "body": Param("Body", str),
    "media_url": Param("MediaUrl", list),
}

_COLLECTION = "/v1/Services/{}/Sessions/{}/Participants/{}/MessageInteractions"
_INSTANCE = _COLLECTION + "/{}"


def _check_parents(service_sid: str, session_sid: str, participant_sid: str) -> None:
    check_sid(service_sid, "KS", "service_sid")
    check_sid(session_sid, "KC", "session_sid")
    check_sid(participant_sid, "KP", "participant_sid")


class MessageInteractions(Resource):
    """Send a message to one participant through the proxy number; fetch and list them."""

    async def create(
        self,
        service_sid: str,
        session_sid: str,
        participant_sid: str,
        *,
        body: str | None = None,
        media_url: Sequence[str] | None = None,
    ) -> MessageInteraction:
        """POST /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions

        Twilio answers 200 here, not 201. ``media_url`` repeats ``MediaUrl`` once per URL.
        """  # noqa: E501
        _check_parents(service_sid, session_sid, participant_sid)
        form = form_items(_FIELDS, body=body, media_url=media_url)
        return await self._api.send(
            path(_COLLECTION, service_sid, session_sid, participant_sid), MessageInteraction, form
        )

    async def fetch(
        self, service_sid: str, session_sid: str, participant_sid: str, sid: str
    ) -> MessageInteraction:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions/{Sid}"""  # noqa: E501
        _check_parents(service_sid, session_sid, participant_sid)
        check_sid(sid, "KI", "sid")
        return await self._api.fetch_one(
            path(_INSTANCE, service_sid, session_sid, participant_sid, sid), MessageInteraction
        )

    def list(
        self,
        service_sid: str,
        session_sid: str,
        participant_sid: str,
        *,
        page_size: int | None = None,
        limit: int | None = None,
        prefetch: bool = True,
    ) -> AsyncPager[MessageInteraction]:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions

        Twilio lists them under the key ``interactions``.
        """  # noqa: E501
        _check_parents(service_sid, session_sid, participant_sid)
        return self._api.listing(
            path(_COLLECTION, service_sid, session_sid, participant_sid),
            MessageInteraction,
            "interactions",
            page_size=page_size,
            limit=limit,
            prefetch=prefetch,
        )
