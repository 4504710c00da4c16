"""Proxy v1 MessageInteraction:
``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants/{ParticipantSid}/MessageInteractions/{Sid}``.

The spec's message_interaction enums carry exactly the interaction enums' values, so the
same ``InteractionType`` and ``InteractionResourceStatus`` serve both.
"""

from __future__ import annotations

import attrs

from ._common import inherit_attribute_docs, sid_field
from .interaction import Interaction

__all__ = ["MessageInteraction"]


@inherit_attribute_docs
@attrs.frozen(kw_only=True)
class MessageInteraction(Interaction):
    """A message your application sent to one Participant through the Session's proxy
    number: an Interaction seen from that Participant, which it names in ``participant_sid``.
    Its ``type`` is always ``message``; the inbound fields stay empty for a message created
    through the API, and ``outbound_resource_type`` is always ``Message``.

    Attributes:
        participant_sid: the Participant (``KP...``) the message was sent to.
    """

    participant_sid: str | None = sid_field("KP")
