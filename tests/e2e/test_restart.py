"""`orders run` a second time on the same var/ directory: the orders of the first run are still there,
and a database an earlier release created gets the search attributes this release upserts."""

import json
from pathlib import Path

import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest, RemoveSearchAttributesRequest
from temporalio.client import Client

from domain.lifecycle import OrderStatus
from starter.client import OrdersClient
from starter.system import System
from tests.e2e.conftest import isolated_settings, orders
from workflows import search

pytestmark = pytest.mark.e2e


async def custom_attributes(client: Client) -> set[str]:
    listed = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=client.namespace))
    return set(listed.custom_attributes)


async def test_a_restarted_system_keeps_the_orders_of_the_previous_run(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    async with System(settings):
        order_id = orders(settings, "place", "--sku", "MUG-BLUE:1:1250", "--card", "pm_card_chargeDeclined").stdout.strip()
        client = await OrdersClient.connect(settings)
        await client.wait_for(order_id, lambda o: o.status is OrderStatus.CANCELLED)
        # As an earlier release left it: without the attribute this release added last.
        await client.client.operator_service.remove_search_attributes(
            RemoveSearchAttributesRequest(namespace=client.client.namespace, search_attributes=[search.ALL[-1].name])
        )
        removed = await custom_attributes(client.client)

    async with System(settings):
        shown = orders(settings, "status", order_id, "--json")
        listed = orders(settings, "list", "--status", "CANCELLED")
        registered = await custom_attributes((await OrdersClient.connect(settings)).client)

    assert json.loads(shown.stdout)["status"] == "CANCELLED", shown.stderr
    assert order_id in listed.stdout, listed.stderr
    assert search.ALL[-1].name not in removed
    assert {key.name for key in search.ALL} <= registered
