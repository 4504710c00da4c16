"""Every operation of the table, through the SDK, against the emulator on 127.0.0.1.

The world holds one record of every collection (``emulator_http.World``); each operation is
called with the fewest fields it takes (``table_support.least_arguments``), and what the
SDK answers must be exactly what the emulator holds: the model built from the record the
emulator serves at that record's URL. A new table entry is tested here unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest
from emulator_http import World
from table_support import least_arguments, least_fields, sdk_method

from twilio_proxy_async import Client, NotFoundError, from_dict
from twilio_proxy_async._table import COLLECTIONS, Operation, Verb

from helpers import invoke

OPERATIONS = [op for table in COLLECTIONS for op in table.operations()]


pytestmark = pytest.mark.twilio_client(max_retries=0)


async def served(world: World, operation: Operation[Any], url: str) -> Any:
    """The model of the record the emulator serves at ``url`` (one of its own URLs)."""
    path = url.removeprefix(world.api.emulator.url)
    return from_dict(operation.collection.model, await world.api.ok("GET", path, 200))


def path_sids(world: World, operation: Operation[Any]) -> list[str]:
    """The SIDs ``world.path`` puts in the operation's path, in order."""
    path = world.path(operation.collection.name, operation.verb)
    return [part for part in path.split("/") if part[:2].isupper() and len(part) == 34]


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_the_sdk_answers_what_the_emulator_holds(
    world: World, twilio_client: Client, operation: Operation[Any]
) -> None:
    sdk, table = twilio_client, operation.collection
    arguments = least_arguments(operation, variant=3)
    outcome = await invoke(sdk_method(sdk, operation), path_sids(world, operation), arguments)

    if operation.verb is Verb.DELETE:
        assert outcome is None
        fetch = table.operation(Verb.FETCH)
        sids = path_sids(world, fetch)
        try:
            after = await invoke(sdk_method(sdk, fetch), sids, {})
        except NotFoundError:
            return
        # Twilio's Participants delete is a soft delete: still listed, with date_deleted.
        assert after.date_deleted is not None
        return
    if operation.verb is Verb.LIST:
        assert outcome, f"the world holds a record of {table.name}"
        assert [type(model) for model in outcome] == [table.model] * len(outcome)
        assert world.ids[table.name] in {model.sid for model in outcome}
        for model in outcome:
            assert model == await served(world, operation, model.url)
        return
    assert type(outcome) is table.model
    assert outcome == await served(world, operation, outcome.url)
    if operation.verb is Verb.CREATE:
        assert outcome.sid != world.ids[table.name] and outcome.sid.startswith(table.prefix)
    else:
        assert outcome.sid == world.ids[table.name]
    if operation.verb is Verb.UPDATE:
        for field in least_fields(operation):
            if hasattr(outcome, field.name):
                assert getattr(outcome, field.name) == arguments[field.name], field.name
