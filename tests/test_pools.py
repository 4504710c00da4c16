"""A Service's proxy pool, for every pool collection of the table (phone numbers, short
codes), through the SDK against the emulator: a number of the account joins a pool by its
SID, is reserved, leaves, and is in one Service's pool at a time.

The request shapes, SID checks and models are test_table's for every collection; Twilio's
own bodies are the conformance tests'. This is the behaviour the ``pool`` fact stands for.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from table_support import good_sid, sdk_method

from twilio_proxy_async import Client, ConflictError, NotFoundError
from twilio_proxy_async._table import POOLS, Collection, Verb
from twilio_proxy_async.testing import DemoData, Emulator
from twilio_proxy_async.testing._demo import members_per_service

from helpers import invoke

by_pool = pytest.mark.parametrize("table", POOLS, ids=lambda table: table.name)
pytestmark = pytest.mark.twilio_client(max_retries=0)


def pool(client: Client, table: Collection[Any]) -> Any:
    return getattr(client.proxy, table.attribute)


async def listed(client: Client, table: Collection[Any], service_sid: str) -> list[Any]:
    return [member async for member in pool(client, table).list(service_sid)]


def test_a_pool_is_joined_by_sid_and_reserved_by_update() -> None:
    """What the emulator's pool handlers rely on, for every collection marked ``pool``."""
    assert POOLS, "the table marks the proxy pools"
    for table in POOLS:
        assert [sid.prefix for sid in table.parents] == ["KS"], table.name
        assert table.field("sid").sid == table.prefix, table.name
        assert [field.name for field in table.update] == ["is_reserved"], table.name
        assert {"is_reserved", "service_sid"} <= {f.name for f in attrs.fields(table.model)}


@by_pool
async def test_a_member_joins_is_reserved_and_leaves_a_pool(
    emu: Emulator, twilio_client: Client, table: Collection[Any]
) -> None:
    members, sid = pool(twilio_client, table), good_sid(table.prefix, 5)
    service = await twilio_client.proxy.services.create(unique_name="pool")
    created = await members.create(service.sid, sid=sid)
    assert type(created) is table.model
    assert (created.sid, created.service_sid, created.is_reserved) == (sid, service.sid, False)
    path = table.instance_path_format.format(service.sid, sid)
    assert created.url == emu.url + path
    # Known only by its SID, it still answers every field Twilio's records carry.
    assert all(value is not None for value in attrs.asdict(created).values()), created

    reserved = await members.update(service.sid, sid, is_reserved=True)
    assert reserved.is_reserved is True
    assert reserved.date_updated > created.date_updated
    assert await members.fetch(service.sid, sid) == reserved
    assert await listed(twilio_client, table, service.sid) == [reserved]

    assert await members.delete(service.sid, sid) is None
    with pytest.raises(NotFoundError):
        await members.fetch(service.sid, sid)
    assert await listed(twilio_client, table, service.sid) == []


@by_pool
async def test_a_member_is_in_one_pool_at_a_time(
    twilio_client: Client, table: Collection[Any]
) -> None:
    members, sid = pool(twilio_client, table), good_sid(table.prefix, 6)
    first = await twilio_client.proxy.services.create(unique_name="first")
    second = await twilio_client.proxy.services.create(unique_name="second")
    await members.create(first.sid, sid=sid)
    with pytest.raises(ConflictError, match=f"{sid} is already associated with Service"):
        await members.create(second.sid, sid=sid)
    # Leaving one pool frees it for another; so does deleting the Service.
    await members.delete(first.sid, sid)
    assert (await members.create(second.sid, sid=sid)).service_sid == second.sid
    await twilio_client.proxy.services.delete(second.sid)
    assert (await members.create(first.sid, sid=sid)).service_sid == first.sid


@by_pool
async def test_a_deleted_service_takes_its_pool_with_it(
    emu: Emulator, twilio_client: Client, table: Collection[Any]
) -> None:
    service = await twilio_client.proxy.services.create(unique_name="gone")
    await pool(twilio_client, table).create(service.sid, sid=good_sid(table.prefix, 7))
    await twilio_client.proxy.services.delete(service.sid)
    assert emu.snapshot()[table.name] == []
    with pytest.raises(NotFoundError):
        await invoke(sdk_method(twilio_client, table.operation(Verb.LIST)), [service.sid], {})


DEMO = DemoData(services=2, sessions_per_service=1)


@by_pool
@pytest.mark.twilio_emulator(demo=DEMO)
async def test_the_demo_fills_each_services_pool(
    emu: Emulator, twilio_client: Client, table: Collection[Any]
) -> None:
    snapshot = emu.snapshot()
    for service in snapshot["services"]:
        members = await listed(twilio_client, table, service["sid"])
        assert len(members) == members_per_service(DEMO, table)
        assert {member.service_sid for member in members} == {service["sid"]}
    assert len(snapshot[table.name]) == DEMO.services * members_per_service(DEMO, table)
