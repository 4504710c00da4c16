"""Proxy v1 MessageInteractions:
``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._pagination import AsyncPager
from .._table import MESSAGE_INTERACTIONS
from ..models.message_interaction import MessageInteraction
from ._base import Resource

__all__ = ["MessageInteractions"]


class MessageInteractions(Resource[MessageInteraction]):
    """Send a message to one participant through the proxy number; fetch and list them."""

    table = MESSAGE_INTERACTIONS

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

        Send a message from your application to one Participant, through their proxy number.
        Twilio answers 200 here, not 201.

        Args:
            body: the text of the message.
            media_url: URLs of media to attach, sent as one ``MediaUrl`` field each; Twilio marks
                this reserved and does not support it yet.

        Returns:
            The new ``MessageInteraction`` (its inbound fields stay empty).
        """  # noqa: E501
        return await self._create((service_sid, session_sid, participant_sid), locals())

    async def fetch(
        self, service_sid: str, session_sid: str, participant_sid: str, sid: str
    ) -> MessageInteraction:
        """GET /v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions/{Sid}"""  # noqa: E501
        return await self._fetch((service_sid, session_sid, participant_sid), sid)

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

        The messages sent to one Participant through the API. Twilio lists them under the key
        ``interactions``.
        """  # noqa: E501
        parents = (service_sid, session_sid, participant_sid)
        return self._list(parents, page_size=page_size, limit=limit, prefetch=prefetch)
