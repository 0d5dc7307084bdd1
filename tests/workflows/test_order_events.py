"""Order events reach every subscriber in order, durably: a failing one is listed, retried, given up on, resumed.

The back-off (days) runs on the time-skipping server; the order's side, with its updates, on a dev server.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.event_delivery import GIVE_UP_AFTER, Deliveries, SubscriberProgress
from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.order_events import OrderEvent, OrderEventType, event_id, events_since, events_workflow_id
from domain.requests import RequestedBy
from tests.workflows.conftest import SHORT, World, customer_cancel, world_on
from tests.workflows.test_continue_as_new import FEW_EVENTS, continued_from, eventually, flood_of_requests, run_id
from workflows import patches
from workflows.order import OrderWorkflow
from workflows.order_events import EventBatch, OrderEventsWorkflow
from workflows.search import WEBHOOK_FAILING

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def events(*indexes: int, order_id: str = "A1") -> list[OrderEvent]:
    return [
        OrderEvent(id=event_id(order_id, i), type=OrderEventType.CONFIRMED, order_id=order_id, at=T0, data={})
        for i in indexes
    ]


async def start(world: World, deliveries: Deliveries) -> WorkflowHandle:
    return await world.client.start_workflow(
        OrderEventsWorkflow.run, deliveries, id=events_workflow_id(deliveries.order_id), task_queue=world.task_queue
    )


async def failing(handle: WorkflowHandle) -> list[str]:
    return (await handle.describe()).typed_search_attributes.get(WEBHOOK_FAILING) or []


async def progress_of(handle: WorkflowHandle, name: str) -> SubscriberProgress:
    deliveries: Deliveries = await handle.query(OrderEventsWorkflow.progress)
    return next(progress for progress in deliveries.subscribers if progress.name == name)


async def until(what: str, holds: Callable[[], bool]) -> None:
    for _ in range(600):
        if holds():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"still waiting for {what}")


async def test_a_failing_subscriber_is_listed_given_up_after_three_days_and_served_once_resumed(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env, lambda w: w.receivers.down.add("crm")) as world:
        deliveries = Deliveries(order_id="A1", subscribers=[SubscriberProgress(name="erp"), SubscriberProgress(name="crm")])
        deliveries.add(events(3, 7), closed=False)
        handle = await start(world, deliveries)

        await skipping_env.sleep(timedelta(minutes=5))
        crm_retrying = await progress_of(handle, "crm")
        listed_while_retrying = await failing(handle)
        await skipping_env.sleep(GIVE_UP_AFTER + timedelta(hours=2))
        crm_given_up = await progress_of(handle, "crm")
        listed_once_given_up = await failing(handle)
        world.receivers.down.clear()
        resumed = await handle.execute_update(OrderEventsWorkflow.resume)
        await handle.signal(OrderEventsWorkflow.add, EventBatch(closed=True))
        await handle.result()

        assert world.receivers.of("erp") == ["A1:3", "A1:7"]
        assert crm_retrying.failures >= 3 and not crm_retrying.dead and crm_retrying.last_error
        assert listed_while_retrying == ["crm"] == listed_once_given_up
        assert crm_given_up.dead and crm_given_up.delivered == 0
        assert resumed == ["crm"]
        assert world.receivers.of("crm") == ["A1:3", "A1:7"]
        assert await failing(handle) == []


async def test_the_delivery_continues_as_new_when_long_and_keeps_every_event_in_order(local_env: WorkflowEnvironment) -> None:
    async with world_on(local_env) as world:
        deliveries = Deliveries(order_id="A2", subscribers=[SubscriberProgress(name="erp")], events_per_run=40)
        deliveries.add(events(*range(1, 31), order_id="A2"), closed=True)
        handle = await start(world, deliveries)
        first_run = (await handle.describe()).run_id

        await handle.result()

        assert world.receivers.of("erp") == [f"A2:{i}" for i in range(1, 31)]
        assert (await world.client.get_workflow_handle(handle.id).describe()).run_id != first_run


async def history_types(client: Client, workflow_id: str) -> list[EventType.ValueType]:
    return [event.event_type async for event in client.get_workflow_handle(workflow_id).fetch_history_events()]


async def markers(client: Client, workflow_id: str) -> list[str]:
    """The data of the patch markers in the workflow's history (each names its patch id)."""
    history = client.get_workflow_handle(workflow_id).fetch_history_events()
    found = [event.marker_recorded_event_attributes async for event in history]
    return [marker.details["patch-data"].payloads[0].data.decode() for marker in found if marker.marker_name == "core_patch"]


async def cancelled_in_window(world: World, **changes: object) -> str:
    """An order placed, confirmed, cancelled by its customer at once, and ended (its answer period is a second)."""
    handle = await world.place_confirmed(**changes)
    await handle.execute_update(OrderWorkflow.cancel, customer_cancel())
    order = await handle.result()
    assert order.status is OrderStatus.CANCELLED
    return str(order.order_id)


async def test_an_order_with_subscribers_tells_each_of_them_its_events_in_order(world: World) -> None:
    order_id = await cancelled_in_window(world, event_subscribers=["erp", "crm"])

    await world.client.get_workflow_handle(events_workflow_id(order_id)).result()

    for subscriber in ("erp", "crm"):
        told = world.receivers.of(subscriber)
        assert [world.receivers.types[event] for event in told] == ["order.confirmed", "order.cancelled"]
        assert told == sorted(told, key=lambda event: int(event.rpartition(":")[2]))
    assert any(patches.ORDER_EVENTS in marker for marker in await markers(world.client, f"order-{order_id}"))


async def test_an_order_without_subscribers_emits_nothing_for_events(world: World) -> None:
    order_id = await cancelled_in_window(world)

    history = await history_types(world.client, f"order-{order_id}")

    assert EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED not in history
    assert EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED not in history
    assert not any(patches.ORDER_EVENTS in marker for marker in await markers(world.client, f"order-{order_id}"))
    assert world.receivers.received == []


async def test_an_order_continued_as_new_tells_every_event_once_across_its_runs(world: World) -> None:
    policy = SHORT.model_copy(update={"events_per_run": FEW_EVENTS, "answer_period": timedelta(hours=1)})
    handle = await world.place_confirmed(policy=policy, event_subscribers=["erp"])
    first_run = await run_id(handle)
    await handle.execute_update(OrderWorkflow.cancel, customer_cancel("first", requested_by=RequestedBy.CUSTOMER_SERVICE))
    await eventually(handle, lambda o: o.status is OrderStatus.CANCELLED)

    await flood_of_requests(handle, 60)
    latest = await continued_from(handle, first_run)
    await latest.execute_update(OrderWorkflow.cancel, customer_cancel("after-the-flood"))
    order: Order = await latest.query(OrderWorkflow.status)
    expected = [event.id for event in events_since(order, 0)]
    await until("every event at erp", lambda: set(world.receivers.of("erp")) >= set(expected))
    await latest.terminate("test done")
    await world.client.get_workflow_handle(events_workflow_id(order.order_id)).terminate("test done")

    assert world.receivers.of("erp") == expected  # in order, each once
    assert expected.count(expected[-1]) == 1 and world.receivers.types[expected[-1]] == "order.cancellation_rejected"
    assert sum(world.receivers.types[e] == "order.cancellation_rejected" for e in expected) == 61


async def test_an_order_whose_delivery_an_operator_terminated_still_ends_and_a_new_delivery_takes_its_events(
    world: World,
) -> None:
    handle = await world.place_confirmed(event_subscribers=["erp"])
    order_id = handle.id.removeprefix("order-")
    await until("the confirmation at erp", lambda: len(world.receivers.of("erp")) == 1)
    await world.client.get_workflow_handle(events_workflow_id(order_id)).terminate("operator")

    await handle.execute_update(OrderWorkflow.cancel, customer_cancel())
    order = await handle.result()
    await world.client.get_workflow_handle(events_workflow_id(order_id)).result()

    assert order.status is OrderStatus.CANCELLED
    assert [world.receivers.types[e] for e in world.receivers.of("erp")] == ["order.confirmed", "order.cancelled"]
