"""Proxy v1 Interaction: ``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions/{Sid}``."""

from __future__ import annotations

import json
import re
from datetime import datetime
from enum import StrEnum

import attrs

from ._common import sid_field

__all__ = [
    "Interaction",
    "InteractionResourceStatus",
    "InteractionType",
    "check_resource_sid",
    "decode_data",
]


class InteractionType(StrEnum):
    """The channel of an Interaction."""

    MESSAGE = "message"
    VOICE = "voice"
    UNKNOWN = "unknown"


class InteractionResourceStatus(StrEnum):
    """The status of the Message or Call behind one leg of an Interaction."""

    ACCEPTED = "accepted"
    ANSWERED = "answered"
    BUSY = "busy"
    CANCELED = "canceled"
    COMPLETED = "completed"
    DELETED = "deleted"
    DELIVERED = "delivered"
    DELIVERY_UNKNOWN = "delivery-unknown"
    FAILED = "failed"
    IN_PROGRESS = "in-progress"
    INITIATED = "initiated"
    NO_ANSWER = "no-answer"
    QUEUED = "queued"
    RECEIVED = "received"
    RECEIVING = "receiving"
    RINGING = "ringing"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    UNDELIVERED = "undelivered"
    UNKNOWN = "unknown"


# The legs point at Messages (SM..) or Calls (CA..): the spec fixes no prefix.
_RESOURCE_SID = re.compile(r"[a-zA-Z]{2}[0-9a-fA-F]{32}")


def check_resource_sid(
    instance: object, attribute: attrs.Attribute[str | None], value: str | None
) -> None:
    """attrs validator: a SID of any resource type (two letters, 32 hex digits)."""
    if value is not None and (type(value) is not str or not _RESOURCE_SID.fullmatch(value)):
        raise ValueError(
            f"{attribute.name} must be a SID (two letters, 32 hex digits), got {value!r}"
        )


def decode_data(sid: str, data: str | None) -> object:
    """The JSON value inside an Interaction's ``data`` string; None when there is none."""
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError as exc:
        raise ValueError(f"the data of interaction {sid} is not valid JSON: {exc}") from None


@attrs.frozen(kw_only=True)
class Interaction:
    """One message or call exchanged in a Session, with its inbound and outbound legs."""

    sid: str = sid_field("KI", required=True)
    session_sid: str | None = sid_field("KC")
    service_sid: str | None = sid_field("KS")
    account_sid: str | None = sid_field("AC")
    data: str | None = None
    type: InteractionType | str | None = None
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
