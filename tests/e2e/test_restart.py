"""`orders run` a second time on the same var/ directory: the orders of the first run are still there."""

import json
from pathlib import Path

import pytest

from domain.order import OrderStatus
from starter.client import OrdersClient
from starter.system import System
from tests.e2e.conftest import isolated_settings, orders

pytestmark = pytest.mark.e2e


async def test_a_restarted_system_keeps_the_orders_of_the_previous_run(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    async with System(settings):
        order_id = orders(settings, "place", "--sku", "MUG-BLUE:1:1250", "--card", "4000000000000002").stdout.strip()
        client = await OrdersClient.connect(settings)
        await client.wait_for(order_id, lambda o: o.status is OrderStatus.CANCELLED)

    # Same database, same --search-attribute flags: the dev server must accept both again.
    async with System(settings):
        shown = orders(settings, "status", order_id, "--json")
        listed = orders(settings, "list", "--status", "CANCELLED")

    assert json.loads(shown.stdout)["status"] == "CANCELLED", shown.stderr
    assert order_id in listed.stdout, listed.stderr
