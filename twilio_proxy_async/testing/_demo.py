"""Made-up data: the demo's (the same DemoData yields byte-identical records), and what the
emulator invents for a number of the account it is told only the SID of.

This is the one place of the emulator that knows each kind of pool member (the table's
``pool`` collections) beyond its table entry: how many the demo gives each Service, and the
fields its records carry beside the SIDs, dates, url and ``is_reserved``.
"""

from __future__ import annotations

import functools
import gc
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .._table import (
    INTERACTIONS,
    PARTICIPANTS,
    PHONE_NUMBERS,
    POOLS,
    SERVICES,
    SESSIONS,
    SHORT_CODES,
)
from .._table import Collection as Table
from ._records import (
    MAX_PARTICIPANTS,
    InteractionRecord,
    ParticipantRecord,
    PhoneNumberRecord,
    PoolMemberRecord,
    ServiceRecord,
    SessionRecord,
)
from ._store import SidSource, Store

# 2024-01-01T00:00:00Z: demo timestamps count up from here, one second per record.
_EPOCH = 1_704_067_200
_FIRST_NUMBER = 2_025_550_000
_COUNTRY_BY_PREFIX = (("+1", "US"), ("+44", "GB"), ("+33", "FR"), ("+49", "DE"), ("+61", "AU"))

# --- what the emulator invents, by kind -------------------------------------------------------


def describe_number(phone_number: str) -> tuple[str, str | None]:
    """The friendly name and ISO country Twilio shows for an E.164 number."""
    country = next(
        (iso for prefix, iso in _COUNTRY_BY_PREFIX if phone_number.startswith(prefix)), None
    )
    digits = phone_number[2:]
    if country == "US" and len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", country
    return phone_number, country


def invented_phone_number(sid: str) -> str:
    """A stable US number for a PN nobody told us about, as if it were an owned number."""
    return f"+1{2_000_000_000 + int(sid[2:], 16) % 8_000_000_000}"


def _short_code(sid: str) -> Mapping[str, Any]:
    return {
        # A stable five- or six-digit code.
        "short_code": str(10_000 + int(sid[2:], 16) % 990_000),
        "iso_country": "US",
        # Twilio's ShortCode answers: outbound messages only.
        "capabilities": {"sms_outbound": True, "voice_inbound": False},
    }


# The fields of a pool member known only by its SID, by pool collection. Phone numbers are
# not here: they are also named by their number, and have their own record.
_INVENTED: Mapping[str, Callable[[str], Mapping[str, Any]]] = {SHORT_CODES.name: _short_code}
_INVENTED_POOLS = tuple(table for table in POOLS if table is not PHONE_NUMBERS)


def invent_member(
    store: Store, table: Table[Any], service_sid: str, sid: str, now: str
) -> PoolMemberRecord:
    """A new, unreserved member of a Service's pool of ``table``, known only by its SID."""
    return PoolMemberRecord(
        seq=store.next_seq(),
        sid=sid,
        date_created=now,
        date_updated=now,
        table=table,
        service_sid=service_sid,
        is_reserved=False,
        details=_INVENTED[table.name](sid),
    )


# --- the demo ---------------------------------------------------------------------------------


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


# DemoData's count of each pool collection's members per Service.
_PER_SERVICE: Mapping[str, Callable[[DemoData], int]] = {
    PHONE_NUMBERS.name: lambda demo: demo.phone_numbers_per_service,
    SHORT_CODES.name: lambda demo: demo.short_codes_per_service,
}
# A pool collection the emulator cannot invent or count fails here, at import, not mid-request.
for _pool in POOLS:
    if _pool.name not in _PER_SERVICE or (_pool in _INVENTED_POOLS and _pool.name not in _INVENTED):
        raise LookupError(f"testing/_demo.py: {_pool.name} needs _INVENTED and _PER_SERVICE")


def members_per_service(demo: DemoData, table: Table[Any]) -> int:
    """How many members of a pool collection of the table each demo Service holds."""
    return _PER_SERVICE[table.name](demo)


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
    # The other pools' SIDs have a source each, so adding a pool kind changes no other SID.
    member_sids = {
        table.name: SidSource(random.Random(f"{demo.seed}/{table.name.replace('_', '-')}"))
        for table in _INVENTED_POOLS
    }
    tick = _EPOCH
    for index in range(demo.chat_services):
        tick += 1
        chat = store.new_chat_service(sids, f"Demo Chat Service {index}", _stamp(tick))
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
        for table in _INVENTED_POOLS:
            for _ in range(members_per_service(demo, table)):
                sid = member_sids[table.name].new(table.prefix)
                member = invent_member(store, table, service.sid, sid, service.date_created)
                store.add_member(service, member)
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
