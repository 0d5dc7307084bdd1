"""Faults on demand in front of the inventory store: a lost connection after the commit leaves one effect."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from activities.inventory_faults import FaultyInventoryStore, InventoryConnectionLost, InventoryLockTimeout
from activities.inventory_sql import SqlInventoryStore
from runtime.fault_injector import FaultInjector
from runtime.fault_spec import parse_faults
from tests.activities.test_inventory_sql import buckets, release, reserve, sqlite_url


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlInventoryStore]:
    store = SqlInventoryStore(sqlite_url(tmp_path / "inventory.db"))
    await store.create_schema()
    await store.set_stock("MUG", 10)
    yield store
    await store.close()


@pytest.fixture
def faults() -> FaultInjector:
    return FaultInjector()


@pytest.fixture
def faulty(store: SqlInventoryStore, faults: FaultInjector) -> FaultyInventoryStore:
    return FaultyInventoryStore(store, faults)


async def test_a_connection_lost_after_the_commit_reserves_once_though_the_retry_asks_again(
    faulty: FaultyInventoryStore, store: SqlInventoryStore, faults: FaultInjector
) -> None:
    faults.replace(parse_faults("inventory:lost=1"))
    with pytest.raises(InventoryConnectionLost, match="after the commit"):
        await faulty.reserve(reserve("o-1", ("MUG", 3)))
    assert await buckets(store, "MUG") == (7, 3, 0, 0)

    faults.replace(parse_faults(""))
    await faulty.reserve(reserve("o-1", ("MUG", 3)))

    assert await buckets(store, "MUG") == (7, 3, 0, 0)


async def test_an_error_is_a_lock_timeout_or_a_lost_connection_before_anything_is_done(
    faulty: FaultyInventoryStore, store: SqlInventoryStore, faults: FaultInjector
) -> None:
    await faulty.reserve(reserve("o-1", ("MUG", 3)))
    faults.replace(parse_faults("seed=1;inventory:error=1"))

    raised = set()
    for attempt in range(20):
        with pytest.raises((InventoryLockTimeout, InventoryConnectionLost)) as failed:
            await faulty.release(release("o-1", key=f"o-1:release:{attempt}"))
        raised.add(type(failed.value))

    assert raised == {InventoryLockTimeout, InventoryConnectionLost}
    assert await buckets(store, "MUG") == (7, 3, 0, 0)
    assert faults.counters()["inventory"]["error"] == 20
