"""The emulator's state: every record, its indexes, and the cascades between them."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from .._table import CHAT_SERVICES, COLLECTIONS, MESSAGE_INTERACTIONS, POOLS, parent_of
from .._table import Collection as Table
from ._collection import Collection
from ._errors import ApiRequest, Reply
from ._forms import sid_prefix
from ._paging import PageTokens, list_page
from ._records import (
    CachedRecord,
    ChatServiceRecord,
    InteractionRecord,
    ParticipantRecord,
    PhoneNumberRecord,
    PoolMemberRecord,
    ServiceRecord,
    SessionRecord,
    Site,
)

C = TypeVar("C", bound=CachedRecord)

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The prefix of the Roles a new Chat Service gets, as the table's role SID fields say.
_ROLE = sid_prefix(CHAT_SERVICES.field("default_service_role_sid"))


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_FORMAT)


def later_than(previous: str) -> str:
    """Twilio dates have one-second resolution; an update must still move date_updated."""
    now = time.strftime(_FORMAT, time.gmtime())
    if now > previous:
        return now
    bumped = datetime.strptime(previous, _FORMAT).replace(tzinfo=UTC) + timedelta(seconds=1)
    return format_time(bumped)


class SidSource:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def new(self, prefix: str) -> str:
        return f"{prefix}{self._rng.getrandbits(128):032x}"


class Store:
    """Proxy numbers are account-wide: a PN belongs to at most one Service at a time."""

    def __init__(self, site: Site, secret: bytes) -> None:
        self.site = site
        self.tokens = PageTokens(secret)
        self.sids = SidSource(random.Random(secret))
        self._seq = itertools.count(1)
        self.services: Collection[ServiceRecord] = Collection()
        self.service_names: dict[str, ServiceRecord] = {}
        self.chat_services: Collection[ChatServiceRecord] = Collection()
        self.number_of_sid: dict[str, str] = {}
        self.sid_of_number: dict[str, str] = {}
        self.number_owner: dict[str, str] = {}

    def next_seq(self) -> int:
        return next(self._seq)

    @staticmethod
    def now() -> str:
        return time.strftime(_FORMAT, time.gmtime())

    def add_service(self, service: ServiceRecord) -> None:
        self.services.add(service)
        self.service_names[service.unique_name] = service

    def find_service(self, sid_or_name: str) -> ServiceRecord | None:
        return self.services.get(sid_or_name) or self.service_names.get(sid_or_name)

    def rename_service(self, service: ServiceRecord, unique_name: str) -> None:
        del self.service_names[service.unique_name]
        service.unique_name = unique_name
        self.service_names[unique_name] = service

    def delete_service(self, service: ServiceRecord) -> None:
        self.services.remove(service)
        del self.service_names[service.unique_name]
        for table in POOLS:
            for member in service.pool(table):
                self.number_owner.pop(member.sid, None)

    def remember_number(self, sid: str, phone_number: str) -> None:
        self.number_of_sid[sid] = phone_number
        self.sid_of_number[phone_number] = sid

    def add_member(self, service: ServiceRecord, member: PoolMemberRecord) -> None:
        """Into the Service's pool of the member's collection; its number is now taken."""
        service.pool(member.table).add(member)
        self.number_owner[member.sid] = service.sid

    def remove_member(self, service: ServiceRecord, member: PoolMemberRecord) -> None:
        service.pool(member.table).remove(member)
        self.number_owner.pop(member.sid, None)

    def add_phone_number(self, service: ServiceRecord, number: PhoneNumberRecord) -> None:
        self.remember_number(number.sid, number.phone_number)
        self.add_member(service, number)

    def new_chat_service(self, sids: SidSource, friendly_name: str, now: str) -> ChatServiceRecord:
        return ChatServiceRecord(
            seq=self.next_seq(),
            sid=sids.new(CHAT_SERVICES.prefix),
            date_created=now,
            date_updated=now,
            friendly_name=friendly_name,
            default_service_role_sid=sids.new(_ROLE),
            default_channel_role_sid=sids.new(_ROLE),
            default_channel_creator_role_sid=sids.new(_ROLE),
        )

    @staticmethod
    def add_session(service: ServiceRecord, session: SessionRecord) -> None:
        service.sessions.add(session)
        if session.unique_name is not None:
            service.session_names[session.unique_name] = session

    @staticmethod
    def find_session(service: ServiceRecord, sid_or_name: str) -> SessionRecord | None:
        return service.sessions.get(sid_or_name) or service.session_names.get(sid_or_name)

    def delete_session(self, service: ServiceRecord, session: SessionRecord) -> None:
        """Participants go for good only with their session."""
        service.sessions.remove(session)
        if session.unique_name is not None:
            service.session_names.pop(session.unique_name, None)
        for participant in session.participants:
            if participant.date_deleted is None:
                self.release_number(service, participant)

    @staticmethod
    def add_participant(
        service: ServiceRecord, session: SessionRecord, participant: ParticipantRecord
    ) -> None:
        session.participants.add(participant)
        number = service.phone_numbers.get(participant.proxy_identifier_sid)
        if number is not None:
            number.in_use += 1
            number.changed()

    def remove_participant(self, service: ServiceRecord, participant: ParticipantRecord) -> None:
        """Twilio's delete is a soft delete: the participant stays listed in its session with
        ``date_deleted`` set, its proxy number is freed, and it cannot be added again."""
        if participant.date_deleted is not None:
            return
        participant.date_deleted = self.now()
        participant.date_updated = later_than(participant.date_updated)
        participant.changed()
        self.release_number(service, participant)

    @staticmethod
    def release_number(service: ServiceRecord, participant: ParticipantRecord) -> None:
        number = service.phone_numbers.get(participant.proxy_identifier_sid)
        if number is not None and number.in_use > 0:
            number.in_use -= 1
            number.changed()

    @staticmethod
    def add_interaction(
        session: SessionRecord,
        participant: ParticipantRecord | None,
        interaction: InteractionRecord,
    ) -> None:
        session.interactions.add(interaction)
        if participant is not None:
            participant.message_interactions.add(interaction)

    @staticmethod
    def delete_interaction(session: SessionRecord, interaction: InteractionRecord) -> None:
        session.interactions.remove(interaction)
        if interaction.participant_sid is not None:
            participant = session.participants.get(interaction.participant_sid)
            if participant is not None:
                participant.message_interactions.remove(interaction)

    def snapshot(self) -> dict[str, list[bytes]]:
        """Every record's payload, grouped by collection (the table's names, parents first),
        each group in its lists' order. A record keeps its children under their collection's
        name. MessageInteractions are the Interactions again: they are not listed twice."""
        site = self.site
        kept = [table for table in COLLECTIONS if table is not MESSAGE_INTERACTIONS]
        groups: dict[str, list[bytes]] = {table.name: [] for table in kept}

        def walk(table: Table[Any], records: Iterable[CachedRecord]) -> None:
            children = [child for child in kept if parent_of(child) is table]
            for record in records:
                groups[table.name].append(record.payload(site))
                for child in children:
                    walk(child, _children(record, child))

        for root in kept:
            if not root.parents:
                walk(root, getattr(self, root.name))
        return groups

    def list_reply(
        self,
        request: ApiRequest,
        table: Table[Any],
        items: Collection[C],
        *,
        render: Callable[[C], bytes] | None = None,
    ) -> Reply:
        """One page of ``items`` as the list answer under the table's key, at most its API's
        largest page; each record renders as its payload unless ``render`` says otherwise."""
        site = self.site
        return list_page(
            request,
            origin=request.origin,
            tokens=self.tokens,
            key=table.key,
            items=items,
            render=render or (lambda record: record.payload(site)),
            max_page_size=table.api.max_page_size,
        )


def _children(record: CachedRecord, table: Table[Any]) -> Iterable[CachedRecord]:
    """A record's children of one collection: a Service's pool, else the attribute of that
    collection's name."""
    if table.pool:
        assert isinstance(record, ServiceRecord)
        return record.pool(table)
    children: Iterable[CachedRecord] = getattr(record, table.name)
    return children
