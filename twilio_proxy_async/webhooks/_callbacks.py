"""The three callbacks a Proxy Service sends, as frozen models read from the posted form.

Attributes are the snake_case forms of Twilio's field names (``_callback_forms.py`` reads
them). Typed like the REST models: SIDs checked, datetimes aware UTC, enums tolerant (an
unknown value is kept as its string), an empty value read as absent, ``interactionData``
kept raw. A field this version does not know is kept, as received, in ``extra``, which is
out of the hash (a dict is unhashable): equal callbacks still hash equal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Self, TypeVar

import attrs

from .._docstrings import entries, with_entries
from ..models._common import sid_field
from ..models.interaction import (
    InteractionResourceStatus,
    InteractionType,
    check_resource_sid,
    decode_data,
)
from ..models.participant import Participant
from ..models.session import Session
from ._callback_forms import (
    INBOUND_PARTICIPANT_FIELDS,
    INTERACTION_FIELDS,
    INTERCEPT_FIELDS,
    OUT_OF_SESSION_FIELDS,
    OUTBOUND_PARTICIPANT_FIELDS,
    SESSION_FIELDS,
    Extra,
    Form,
    extra_fields,
    nested,
    normalized,
    require_interaction_sid,
    take,
)

__all__ = ["InteractionCallback", "InterceptCallback", "OutOfSessionCallback"]


_WRITTEN_ONCE = {
    "extra": "every field Twilio sent that has no attribute here, by its wire name (a tuple "
    "when repeated); nothing is dropped.",
    "form": "the callback's form fields: a mapping of wire name (``InteractionSid``) to a str "
    "or list of str, or the multidict ``request.post()``/``request.form()`` returns.",
}

C = TypeVar("C", bound=type)


def _documented(cls: C) -> C:
    """Complete a callback's ``Attributes:`` (every field, in order) and its ``from_form``'s
    ``Args:`` from what is written once: the shared fields' entries in the docstring of
    ``_InteractionFields``, ``extra``'s and ``form``'s here."""
    written_once = {**entries(_InteractionFields.__doc__, "Attributes:"), **_WRITTEN_ONCE}
    names = [field.name for field in attrs.fields(cls)]
    cls.__doc__ = with_entries(cls.__doc__, "Attributes:", names, written_once)
    from_form = vars(cls)["from_form"].__func__
    from_form.__doc__ = with_entries(from_form.__doc__, "Args:", ["form"], written_once)
    return cls


@attrs.frozen(kw_only=True)
class _InteractionFields:
    """The fields the intercept and the interaction callbacks share.

    Attributes:
        interaction_sid: the Interaction's SID, ``KI`` followed by 32 hex digits (always sent).
        interaction_session_sid: the Session (``KC...``) the Interaction belongs to.
        interaction_service_sid: the Proxy Service (``KS...``) of that Session.
        interaction_account_sid: the Account (``AC...``) that owns it.
        interaction_data: the Interaction's data as the JSON text Twilio sent (e.g. the message
            body); :meth:`data_json` decodes it.
        interaction_type: ``message``, ``voice`` or ``unknown``, an ``InteractionType`` when known.
        interaction_date_created: when Twilio created the Interaction, an aware UTC datetime.
        interaction_date_updated: when Twilio last updated the Interaction, an aware UTC datetime.
        inbound_participant_sid: the Participant (``KP...``) who sent the message or placed
            the call.
        inbound_resource_sid: the SID of the inbound leg's resource (a Message ``SM...``/``MM...``
            or a Call ``CA...``).
        inbound_resource_status: the inbound leg's status (e.g. ``received``, ``in-progress``),
            an ``InteractionResourceStatus`` when known.
        inbound_resource_type: the inbound leg's resource kind (``Message`` or ``Call``).
        inbound_resource_url: the API URL of the inbound leg's resource.
    """

    interaction_sid: str = sid_field("KI", required=True)
    interaction_session_sid: str | None = sid_field("KC")
    interaction_service_sid: str | None = sid_field("KS")
    interaction_account_sid: str | None = sid_field("AC")
    interaction_data: str | None = None
    interaction_type: InteractionType | str | None = None
    interaction_date_created: datetime | None = None
    interaction_date_updated: datetime | None = None
    inbound_participant_sid: str | None = sid_field("KP")
    inbound_resource_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    inbound_resource_status: InteractionResourceStatus | str | None = None
    inbound_resource_type: str | None = None
    inbound_resource_url: str | None = None

    def data_json(self) -> object:
        """``interaction_data`` decoded (e.g. ``{"body": "hi"}`` for a message); None when
        absent, ValueError when it is not JSON."""
        try:
            return decode_data(self.interaction_sid, self.interaction_data)
        except RecursionError:
            raise ValueError(
                f"the data of interaction {self.interaction_sid} is nested too deeply"
            ) from None


@_documented
@attrs.frozen(kw_only=True)
class InterceptCallback(_InteractionFields):
    """``intercept_callback_url``: sent before each interaction; a 403 answer blocks it, any
    other answer (or none in time) lets it through. Carries the inbound leg only.
    """

    extra: Extra = attrs.field(factory=dict, hash=False)

    @classmethod
    def from_form(cls, form: Form) -> Self:
        """The callback in ``form`` (a mapping of field -> str or list of str, or the
        multidict ``request.post()``/``request.form()`` returns). ValueError on a bad value.
        """
        fields = normalized(form)
        values = take(fields, INTERCEPT_FIELDS)
        require_interaction_sid(values)
        return cls(**values, extra=extra_fields(fields))


@_documented
@attrs.frozen(kw_only=True)
class InteractionCallback(_InteractionFields):
    """``callback_url``: an interaction's status events (informational), both legs.

    Attributes:
        outbound_participant_sid: the Participant (``KP...``) the message or call was relayed to.
        outbound_resource_sid: the SID of the outbound leg's resource (a Message or a Call).
        outbound_resource_status: the outbound leg's status (e.g. ``sent``, ``delivered``,
            ``completed``), an ``InteractionResourceStatus`` when known.
        outbound_resource_type: the outbound leg's resource kind (``Message`` or ``Call``).
        outbound_resource_url: the API URL of the outbound leg's resource.
    """

    outbound_participant_sid: str | None = sid_field("KP")
    outbound_resource_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    outbound_resource_status: InteractionResourceStatus | str | None = None
    outbound_resource_type: str | None = None
    outbound_resource_url: str | None = None
    extra: Extra = attrs.field(factory=dict, hash=False)

    @classmethod
    def from_form(cls, form: Form) -> Self:
        """The callback in ``form`` (see :meth:`InterceptCallback.from_form`)."""
        fields = normalized(form)
        values = take(fields, INTERACTION_FIELDS)
        require_interaction_sid(values)
        return cls(**values, extra=extra_fields(fields))


@_documented
@attrs.frozen(kw_only=True)
class OutOfSessionCallback:
    """``out_of_session_callback_url``: a message or call reached a proxy number with no open
    Session for its sender. Twilio's inbound message or call fields, plus the previous Session
    and its Participants when Proxy knows one. Answer it with :func:`auto_create_session` or
    :func:`twiml_answer`.

    Attributes:
        account_sid: the Account (``AC...``) the message or call came in on (``AccountSid``).
        api_version: the Twilio API version of the inbound request, e.g. ``2010-04-01``.
        from_: the sender's address (``From``), an E.164 phone number for SMS and calls.
        to: the proxy number reached (``To``), in E.164.
        caller: a call's caller (``Caller``), usually the same as ``from_``; None for messages.
        called: a call's called number (``Called``), usually the same as ``to``.
        direction: a call's direction as Twilio reports it, e.g. ``inbound``.
        call_sid: the inbound Call's SID (``CA...``); set for calls only (see ``is_call``).
        call_status: the inbound Call's status, e.g. ``ringing``.
        message_sid: the inbound Message's SID (``SM...`` or ``MM...``); set for messages.
        sms_sid: the same Message SID under its older name ``SmsSid``.
        sms_message_sid: the same Message SID under its older name ``SmsMessageSid``.
        sms_status: the inbound Message's status, e.g. ``received``.
        body: the message text (``Body``); None for calls.
        num_media: how many media files the message carries (``NumMedia``), 0 or more.
        num_segments: how many SMS segments the message arrived in (``NumSegments``).
        add_ons: the JSON results of any Marketplace Add-ons run on the message (``AddOns``).
        from_city: the sender's city as Twilio's number lookup guesses it, when known.
        from_state: the sender's state or province, when Twilio knows it.
        from_zip: the sender's postal code, when Twilio knows it.
        from_country: the sender's country, an ISO 3166-1 alpha-2 code (e.g. ``US``).
        to_city: the proxy number's city, when Twilio knows it.
        to_state: the proxy number's state or province, when Twilio knows it.
        to_zip: the proxy number's postal code, when Twilio knows it.
        to_country: the proxy number's country, an ISO 3166-1 alpha-2 code.
        caller_city: the caller's city (calls), when Twilio knows it.
        caller_state: the caller's state or province (calls), when Twilio knows it.
        caller_zip: the caller's postal code (calls), when Twilio knows it.
        caller_country: the caller's country (calls), an ISO 3166-1 alpha-2 code.
        called_city: the called number's city (calls), when Twilio knows it.
        called_state: the called number's state or province (calls), when known.
        called_zip: the called number's postal code (calls), when Twilio knows it.
        called_country: the called number's country (calls), an ISO 3166-1 alpha-2 code.
        session: the sender's previous (closed) Session, when Proxy knows one; else None.
        inbound_participant: the sender as a Participant of that Session, when Proxy sent it.
        outbound_participant: the other Participant of that Session, when Proxy sent it.
    """

    account_sid: str | None = sid_field("AC")
    api_version: str | None = None
    from_: str | None = None
    to: str | None = None
    caller: str | None = None
    called: str | None = None
    direction: str | None = None
    call_sid: str | None = sid_field("CA")
    call_status: str | None = None
    message_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    sms_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    sms_message_sid: str | None = attrs.field(default=None, validator=check_resource_sid)
    sms_status: str | None = None
    body: str | None = None
    num_media: int | None = None
    num_segments: int | None = None
    add_ons: str | None = None
    from_city: str | None = None
    from_state: str | None = None
    from_zip: str | None = None
    from_country: str | None = None
    to_city: str | None = None
    to_state: str | None = None
    to_zip: str | None = None
    to_country: str | None = None
    caller_city: str | None = None
    caller_state: str | None = None
    caller_zip: str | None = None
    caller_country: str | None = None
    called_city: str | None = None
    called_state: str | None = None
    called_zip: str | None = None
    called_country: str | None = None
    session: Session | None = None
    inbound_participant: Participant | None = None
    outbound_participant: Participant | None = None
    extra: Extra = attrs.field(factory=dict, hash=False)

    @property
    def is_call(self) -> bool:
        """Whether a call (``CallSid`` sent) rather than a message reached the proxy number."""
        return self.call_sid is not None

    @classmethod
    def from_form(cls, form: Form) -> Self:
        """The callback in ``form`` (see :meth:`InterceptCallback.from_form`)."""
        fields = normalized(form)
        values = take(fields, OUT_OF_SESSION_FIELDS)
        session = nested(Session, take(fields, SESSION_FIELDS), "sessionSid")
        inbound = take(fields, INBOUND_PARTICIPANT_FIELDS)
        outbound = take(fields, OUTBOUND_PARTICIPANT_FIELDS)
        return cls(
            **values,
            session=session,
            inbound_participant=nested(Participant, inbound, "inboundParticipantSid"),
            outbound_participant=nested(Participant, outbound, "outboundParticipantSid"),
            extra=extra_fields(fields),
        )
