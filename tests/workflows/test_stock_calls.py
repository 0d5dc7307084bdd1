"""Stock calls run as local activities (patch leaner-history): one marker each in the history, and an
inventory database that stays down past the worker's first retries is waited for on durable timers."""

from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from domain.lifecycle import OrderStatus
from tests.workflows.conftest import World, an_order, customer_cancel
from workflows.order import OrderWorkflow


async def test_each_stock_call_is_one_marker_and_no_activity_task(world: World) -> None:
    handle = await world.place_confirmed()
    await handle.execute_update(OrderWorkflow.cancel, customer_cancel())
    await handle.result()

    events = [event async for event in handle.fetch_history_events()]
    markers = [e for e in events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED and e.user_metadata.summary.data]
    kind = "activity_task_scheduled_event_attributes"
    scheduled = [getattr(e, kind) for e in events if e.HasField(kind)]
    activities = [attributes.activity_type.name for attributes in scheduled]

    assert [e.marker_recorded_event_attributes.marker_name for e in markers] == ["core_local_activity"] * 2
    assert not {"reserve_stock", "release_stock"} & set(activities)
    assert {"authorize_payment", "void_authorization"} <= set(activities)


async def test_a_stock_database_down_past_the_first_retries_is_waited_for_on_timers_without_a_person(
    world: World,
) -> None:
    # Real time: the worker's own retries (1 s, 2 s), then the first timer (4 s) of the backoff.
    handle = await world.place_confirmed(policy=an_order().policy.model_copy(update={"retry_budget": timedelta(hours=1)}))
    world.inventory.release_down = True
    await handle.execute_update(OrderWorkflow.cancel, customer_cancel())
    await retry_timer_started(handle)
    world.inventory.release_down = False
    order = await handle.result()

    assert order.status is OrderStatus.CANCELLED and order.attention is None
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "CANCELLATION"]


async def retry_timer_started(handle: WorkflowHandle) -> None:
    """Wait, by long-polling the history, for a timer without a summary: a local activity's retry backoff."""
    async for event in handle.fetch_history_events(wait_new_event=True):
        if event.HasField("timer_started_event_attributes") and not event.user_metadata.HasField("summary"):
            return
