"""The system with its inventory on PostgreSQL, as docker-compose.yml runs it."""

from pathlib import Path

import pytest

from activities.inventory_sql import SqlInventoryStore
from starter.scenarios import SCENARIOS, run_suite
from starter.scenarios.context import context
from starter.system import System, isolated_settings
from tests.e2e.test_scenarios import failures
from tests.postgres import Postgres

pytestmark = pytest.mark.e2e


async def test_every_scenario_passes_with_the_inventory_on_postgresql(tmp_path: Path, postgres: Postgres) -> None:
    url = postgres.fresh_database()
    settings = isolated_settings(tmp_path).model_copy(update={"inventory_db_url": url})

    async with System(settings), context(settings) as ctx:
        results = await run_suite(ctx)

    assert [r.name for r in results] == list(SCENARIOS)
    assert all(r.passed for r in results), failures(results)
    store = SqlInventoryStore(url)
    try:
        happy_path = results[0].order_ids[0]
        assert await store.reservation(happy_path), "the worker booked the happy path's units somewhere else"
    finally:
        await store.close()
