"""Proxy v1 Interaction: ``/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Interactions/{Sid}``."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

import attrs

from ._common import check_resource_sid, sid_field

__all__ = [
    "Interaction",
    "InteractionResourceStatus",
    "InteractionType",
    "check_resource_sid",
    "decode_data",
]


class InteractionType(StrEnum):
    """The channel of an Interaction.

    Attributes:
        MESSAGE: an SMS or channel message.
        VOICE: a phone call.
        UNKNOWN: Twilio could not tell.
    """

    MESSAGE = "message"
    VOICE = "voice"
    UNKNOWN = "unknown"


class InteractionResourceStatus(StrEnum):
    """The status of the Message or Call behind one leg of an Interaction: Twilio's Message
    statuses for messages, its Call statuses for calls.

    Attributes:
        ACCEPTED: a message Twilio accepted for sending.
        ANSWERED: a call that was picked up.
        BUSY: a call that got a busy signal.
        CANCELED: a call or scheduled message canceled before it went out.
        COMPLETED: a call that connected and ended normally.
        DELETED: a message that was deleted.
        DELIVERED: a message the carrier confirmed as delivered (an inbound leg is always
            ``delivered`` for messages).
        DELIVERY_UNKNOWN: a message sent, with no delivery report from the carrier.
        FAILED: a message or call that could not be sent or placed.
        IN_PROGRESS: a call under way (an inbound call leg is always ``in-progress``).
        INITIATED: a call Twilio started to place.
        NO_ANSWER: a call nobody picked up.
        QUEUED: a message or call waiting to be sent or placed.
        RECEIVED: an inbound message Twilio received.
        RECEIVING: an inbound message Twilio is receiving.
        RINGING: a call that is ringing.
        SCHEDULED: a message scheduled for later.
        SENDING: a message being sent to the carrier.
        SENT: a message the carrier accepted, not yet confirmed delivered.
        UNDELIVERED: a message the carrier could not deliver.
        UNKNOWN: Twilio could not tell.
    """

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
    """One message or call exchanged in a Session, with its inbound leg (from the sending
    Participant to the proxy number) and its outbound leg (from the proxy number on to the
    other Participant).

    Every field but ``sid`` is None when Twilio leaves it out or sends null.

    Attributes:
        sid: the Interaction's SID, ``KI`` followed by 32 hex digits.
        session_sid: the Session (``KC...``) the Interaction happened in.
        service_sid: the Proxy Service (``KS...``) of that Session.
        account_sid: the Account (``AC...``) that owns the Interaction.
        data: a JSON string: the message body for a message (``{"body": "hello"}``), the
            call's duration in seconds when known for a call (``{"duration": "5"}``);
            ``data_json()`` decodes it.
        type: the channel (``InteractionType``, or the raw string of a value this version
            does not know).
        inbound_participant_sid: the Participant (``KP...``) who sent the message or placed
            the call.
        inbound_resource_sid: the Message (``SM...``) or Call (``CA...``) of the inbound leg.
        inbound_resource_status: the status of that Message or Call
            (``InteractionResourceStatus``, or an unknown value's raw string).
        inbound_resource_type: what the inbound leg is: ``Message`` or ``Call``.
        inbound_resource_url: the URL of the inbound Message or Call resource.
        outbound_participant_sid: the Participant (``KP...``) the Interaction was relayed to.
        outbound_resource_sid: the Message (``SM...``) or Call (``CA...``) of the outbound
            leg.
        outbound_resource_status: the status of that Message or Call
            (``InteractionResourceStatus``, or an unknown value's raw string).
        outbound_resource_type: what the outbound leg is: ``Message`` or ``Call``.
        outbound_resource_url: the URL of the outbound Message or Call resource.
        date_created: when the Interaction was created (aware UTC datetime).
        date_updated: when the Interaction was last changed (aware UTC datetime).
        url: the absolute URL of this Interaction resource.
    """

    sid: str = sid_field("KI", required=True)
    session_sid: str | None = sid_field("KC")
    service_sid: str | None = sid_field("KS")
    account_sid: str | None = sid_field("AC")
    data: str | None = None
    type: InteractionType | str | None = None
    inbound_participant_sid: str | None = sid_field("KP")
    # The legs point at Messages (SM..) or Calls (CA..): the spec fixes no prefix.
    inbound_resource_sid: str | None = sid_field(None)
    inbound_resource_status: InteractionResourceStatus | str | None = None
    inbound_resource_type: str | None = None
    inbound_resource_url: str | None = None
    outbound_participant_sid: str | None = sid_field("KP")
    outbound_resource_sid: str | None = sid_field(None)
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
