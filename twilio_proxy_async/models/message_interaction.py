"""Proxy v1 MessageInteraction:
``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions/{Sid}``.

The spec's message_interaction enums carry exactly the interaction enums' values, so the
same ``InteractionType`` and ``InteractionResourceStatus`` serve both.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ._common import sid_field
from .interaction import (
    InteractionResourceStatus,
    InteractionType,
    check_resource_sid,
    decode_data,
)

__all__ = ["MessageInteraction"]


@attrs.frozen(kw_only=True)
class MessageInteraction:
    """A message sent to one participant through the Session's proxy number."""

    sid: str = sid_field("KI", required=True)
    session_sid: str | None = sid_field("KC")
    service_sid: str | None = sid_field("KS")
    account_sid: str | None = sid_field("AC")
    data: str | None = None
    type: InteractionType | str | None = None
    participant_sid: str | None = sid_field("KP")
    inbound_participant_sid: str | None = sid_field("KP")
    inbound_resource_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    inbound_resource_status: InteractionResourceStatus | str | None = None
    inbound_resource_type: str | None = None
    inbound_resource_url: str | None = None
    outbound_participant_sid: str | None = sid_field("KP")
    outbound_resource_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    outbound_resource_status: InteractionResourceStatus | str | None = None
    outbound_resource_type: str | None = None
    outbound_resource_url: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    url: str | None = None

    def data_json(self) -> object:
        """``data`` decoded (Twilio sends it as a JSON string, e.g. ``{"body": "hi"}``);
        None when absent, ValueError when it is not JSON."""
        return decode_data(self.sid, self.data)
