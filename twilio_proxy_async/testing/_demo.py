"""Deterministic demo data: the same DemoData yields byte-identical records."""

from __future__ import annotations

import functools
import gc
import random
import time

import attrs

from .._table import INTERACTIONS, PARTICIPANTS, PHONE_NUMBERS, SERVICES, SESSIONS, SHORT_CODES
from ._api_services import add_short_code, describe_number, new_chat_service
from ._api_sessions import MAX_PARTICIPANTS
from ._records import (
    InteractionRecord,
    ParticipantRecord,
    PhoneNumberRecord,
    ServiceRecord,
    SessionRecord,
)
from ._store import SidSource, Store

# 2024-01-01T00:00:00Z: demo timestamps count up from here, one second per record.
_EPOCH = 1_704_067_200
_FIRST_NUMBER = 2_025_550_000


def _count(instance: DemoData, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


@attrs.frozen(kw_only=True)
class DemoData:
    """How much to seed. Proxy Sessions hold at most two Participants.

    Attributes:
        services: how many Proxy Services to create, 0 or more. Default 2.
        phone_numbers_per_service: proxy phone numbers in each Service's pool, 0 or more (at least
            1 when there are participants). Default 3.
        short_codes_per_service: short codes in each Service's pool, 0 or more. Default 1.
        sessions_per_service: Sessions in each Service, 0 or more. Default 10.
        participants_per_session: Participants in each Session, 0 to 2 (a Proxy Session holds at
            most two). Default 2.
        interactions_per_session: Interactions in each Session, 0 or more (needs participants).
            Default 2.
        chat_services: Chat v2 Services to create, 0 or more. Default 1.
        seed: the seed every SID, name and date is drawn from, so a seed always gives the same
            data (the account SID included). Default 0.
    """

    services: int = attrs.field(default=2, validator=_count)
    phone_numbers_per_service: int = attrs.field(default=3, validator=_count)
    short_codes_per_service: int = attrs.field(default=1, validator=_count)
    sessions_per_service: int = attrs.field(default=10, validator=_count)
    participants_per_session: int = attrs.field(default=2, validator=_count)
    interactions_per_session: int = attrs.field(default=2, validator=_count)
    chat_services: int = attrs.field(default=1, validator=_count)
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        if self.participants_per_session > MAX_PARTICIPANTS:
            raise ValueError(f"participants_per_session must be <= {MAX_PARTICIPANTS}")
        if self.participants_per_session and not self.phone_numbers_per_service:
            raise ValueError("participants need phone_numbers_per_service >= 1")
        if self.interactions_per_session and not self.participants_per_session:
            raise ValueError("interactions need participants_per_session >= 1")


def demo_account_sid(seed: int) -> str:
    return f"AC{random.Random(f'account-{seed}').getrandbits(128):032x}"


def _stamp(tick: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(tick))


@attrs.frozen
class _ServiceSeed:
    """What a demo session needs to create its children when first used."""

    store: Store
    demo: DemoData
    service_sid: str
    numbers: tuple[PhoneNumberRecord, ...]


def seed_demo(store: Store, demo: DemoData) -> None:
    # Seeding allocates millions of small objects at once; generational GC passes over
    # them would cost more than the allocation itself.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _seed(store, demo)
    finally:
        if collecting:
            gc.enable()


def _seed(store: Store, demo: DemoData) -> None:
    sids = SidSource(random.Random(demo.seed))
    # A source of their own, so the other records' SIDs stay what they were before them.
    short_code_sids = SidSource(random.Random(f"{demo.seed}/short-codes"))
    tick = _EPOCH
    for index in range(demo.chat_services):
        tick += 1
        chat = new_chat_service(store, sids, f"Demo Chat Service {index}", _stamp(tick))
        store.chat_services.add(chat)
    number_index = 0
    for service_index in range(demo.services):
        tick += 1
        service = ServiceRecord(
            seq=store.next_seq(),
            sid=sids.new(SERVICES.prefix),
            date_created=_stamp(tick),
            date_updated=_stamp(tick),
            unique_name=f"demo-service-{demo.seed}-{service_index}",
            default_ttl=3600,
        )
        store.add_service(service)
        numbers = []
        for _ in range(demo.phone_numbers_per_service):
            phone_number = f"+1{_FIRST_NUMBER + number_index}"
            number_index += 1
            friendly_name, country = describe_number(phone_number)
            tick += 1
            number = PhoneNumberRecord(
                seq=store.next_seq(),
                sid=sids.new(PHONE_NUMBERS.prefix),
                date_created=_stamp(tick),
                date_updated=_stamp(tick),
                service_sid=service.sid,
                phone_number=phone_number,
                friendly_name=friendly_name,
                iso_country=country,
                is_reserved=False,
            )
            store.add_phone_number(service, number)
            numbers.append(number)
        for _ in range(demo.short_codes_per_service):
            sid = short_code_sids.new(SHORT_CODES.prefix)
            add_short_code(store, service, sid, service.date_created)
        context = _ServiceSeed(store, demo, service.sid, tuple(numbers))
        for session_index in range(demo.sessions_per_service):
            tick += 1
            _seed_session(context, sids, service, session_index, tick)
            tick += demo.interactions_per_session


def _seed_session(
    context: _ServiceSeed, sids: SidSource, service: ServiceRecord, index: int, tick: int
) -> None:
    demo, numbers = context.demo, context.numbers
    created = _stamp(tick)
    session = SessionRecord(
        seq=context.store.next_seq(),
        sid=sids.new(SESSIONS.prefix),
        date_created=created,
        date_updated=created,
        service_sid=service.sid,
        unique_name=f"{service.unique_name}-session-{index}",
        status="open",
        mode="voice-and-message",
        ttl=service.default_ttl,
        date_expiry=None,
        seeder=functools.partial(_seed_children, context, index, tick),
    )
    for slot in range(demo.participants_per_session):
        numbers[(index + slot) % len(numbers)].in_use += 1
    if demo.interactions_per_session:
        last = _stamp(tick + demo.interactions_per_session)
        session.status = "in-progress"
        session.date_last_interaction = last
        session.date_updated = last
    context.store.add_session(service, session)


def _seed_children(context: _ServiceSeed, index: int, tick: int, session: SessionRecord) -> None:
    store, demo = context.store, context.demo
    sids = SidSource(random.Random(f"{demo.seed}/{session.sid}"))
    participants = []
    for slot in range(demo.participants_per_session):
        number = context.numbers[(index + slot) % len(context.numbers)]
        participant = ParticipantRecord(
            seq=store.next_seq(),
            sid=sids.new(PARTICIPANTS.prefix),
            date_created=session.date_created,
            date_updated=session.date_created,
            service_sid=context.service_sid,
            session_sid=session.sid,
            identifier=f"+1415{(index * MAX_PARTICIPANTS + slot) % 10_000_000:07d}",
            friendly_name=f"Demo participant {slot}",
            proxy_identifier=number.phone_number,
            proxy_identifier_sid=number.sid,
        )
        session.participants.add(participant)
        participants.append(participant)
    for turn in range(demo.interactions_per_session):
        participant = participants[turn % len(participants)]
        stamp = _stamp(tick + turn + 1)
        interaction = InteractionRecord(
            seq=store.next_seq(),
            sid=sids.new(INTERACTIONS.prefix),
            date_created=stamp,
            date_updated=stamp,
            service_sid=context.service_sid,
            session_sid=session.sid,
            participant_sid=participant.sid,
            data=f'{{"body":"Demo message {turn}"}}',
            type="message",
            inbound_participant_sid=None,
            inbound_resource_sid=None,
            inbound_resource_status=None,
            inbound_resource_type=None,
            outbound_participant_sid=participant.sid,
            outbound_resource_sid=sids.new("SM"),
            outbound_resource_status="delivered",
            outbound_resource_type="Message",
        )
        store.add_interaction(session, participant, interaction)
