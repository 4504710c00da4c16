"""Proxy v1 MessageInteraction:
``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions/{Sid}``.

The spec's message_interaction enums carry exactly the interaction enums' values, so the
same ``InteractionType`` and ``InteractionResourceStatus`` serve both.
"""

from __future__ import annotations

import attrs

from ._common import sid_field
from .interaction import Interaction

__all__ = ["MessageInteraction"]


@attrs.frozen(kw_only=True)
class MessageInteraction(Interaction):
    """A message sent to one participant through the Session's proxy number: an Interaction
    as seen from that participant, which it names in ``participant_sid``."""

    participant_sid: str | None = sid_field("KP")
