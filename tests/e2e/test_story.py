"""The order tells its story in the Temporal UI: a static summary, current details, and a summary
on each activity and timer, read back from the real server as the UI reads them."""

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata

from domain.lifecycle import OrderStatus
from starter.client import OrdersClient, workflow_id
from starter.system import System
from tests.e2e.conftest import orders

pytestmark = pytest.mark.e2e


async def test_an_order_shows_its_summary_details_and_the_summary_of_each_step(system: System) -> None:
    order_id = orders(system.settings, "place", "--sku", "MUG-BLUE:2:1250", "--window", "600").stdout.strip()
    client = await OrdersClient.connect(system.settings)
    await client.wait_for(order_id, lambda o: o.status is OrderStatus.CONFIRMED)
    handle = client.client.get_workflow_handle(workflow_id(order_id))

    described = await handle.describe()
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    converter = client.client.data_converter
    scheduled = [
        await converter.decode([e.user_metadata.summary])
        async for e in handle.fetch_history_events()
        if e.HasField("activity_task_scheduled_event_attributes")
    ]
    timers = [
        await converter.decode([e.user_metadata.summary])
        async for e in handle.fetch_history_events()
        if e.HasField("timer_started_event_attributes") and e.user_metadata.HasField("summary")
    ]

    assert f"order {order_id}" in (await described.static_summary() or "")
    assert "2 × MUG-BLUE at 12.50 EUR" in (await described.static_details() or "")
    assert metadata.current_details.startswith("**CONFIRMED**")
    assert [["authorize 25.00 EUR"], ["reserve stock"], ["mail: CONFIRMATION"]] == scheduled[:3]
    assert ["free-cancellation window"] in timers
