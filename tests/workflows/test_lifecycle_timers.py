"""The lifecycle's windows and periods of minutes to weeks, on the time-skipping server."""

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain.lifecycle import OrderStatus, StockState
from domain.policy import Policy
from domain.requests import ReasonCode, Resolution, ResolutionAction, Verdict
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.workflows.conftest import TOTAL, customer_cancel, watch_labels, world_on
from workflows.order import OrderWorkflow

REAL_POLICY = Policy()  # 30 minutes to cancel freely, 14 days of returns, 1 day to answer late requests


async def test_an_order_goes_from_placement_to_completed_through_every_stage(skipping_env: WorkflowEnvironment) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        handle = await world.place(policy=REAL_POLICY)
        await skipping_env.sleep(timedelta(minutes=31))
        await world.carrier.label_gate.entered.wait()
        for scan in (ShipmentEventType.PICKED_UP, ShipmentEventType.IN_TRANSIT, ShipmentEventType.DELIVERED):
            await handle.signal(OrderWorkflow.shipment_event, ShipmentEvent(type=scan))

        order = await handle.result()

    assert order.status is OrderStatus.COMPLETED
    assert (order.authorized_minor, order.captured_minor, order.refunded_minor) == (TOTAL, TOTAL, 0)
    assert order.stock is StockState.SHIPPED
    assert world.inventory.shipped == {"MUG": 2, "TEA": 1}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION"]
    events = [entry.event for entry in order.timeline]
    assert events.index("CONFIRMED") < events.index("FULFILLING") < events.index("SHIPPED") < events.index("DELIVERED")
    assert events[-1] == "COMPLETED"


async def test_nothing_is_captured_before_the_free_cancellation_window_closes(skipping_env: WorkflowEnvironment) -> None:
    async with world_on(skipping_env) as world:
        handle = await world.place(policy=REAL_POLICY)

        await skipping_env.sleep(timedelta(minutes=29))
        before = await handle.query(OrderWorkflow.status)
        await skipping_env.sleep(timedelta(minutes=2))
        await world.mailer.wait_for("CONFIRMATION")
        await handle.terminate("test done")

    assert before.status is OrderStatus.CONFIRMED and before.captured_minor == 0


async def test_a_delivered_order_rejects_cancellation_and_suggests_a_return(skipping_env: WorkflowEnvironment) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        handle = await world.place(policy=REAL_POLICY)
        await skipping_env.sleep(timedelta(minutes=31))
        await world.carrier.label_gate.entered.wait()
        await handle.signal(OrderWorkflow.shipment_event, ShipmentEvent(type=ShipmentEventType.DELIVERED))
        await world.mailer.wait_for("CONFIRMATION")

        outcome = await handle.execute_update(OrderWorkflow.cancel, customer_cancel("late"))
        order = await handle.result()

    assert (outcome.outcome, outcome.reason_code, outcome.suggestion) == (
        Verdict.REJECTED,
        ReasonCode.ALREADY_DELIVERED,
        "RETURN",
    )
    assert order.status is OrderStatus.COMPLETED and order.refunded_minor == 0


async def test_a_cancelled_order_answers_repeats_for_the_answer_period_then_closes(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env) as world:
        handle = await world.place_confirmed(policy=REAL_POLICY)
        first = await handle.execute_update(OrderWorkflow.cancel, customer_cancel("r1"))

        repeat = await handle.execute_update(OrderWorkflow.cancel, customer_cancel("r1"))
        order = await handle.result()

    assert repeat == first and first.outcome is Verdict.ACCEPTED
    assert order.status is OrderStatus.CANCELLED
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "CANCELLATION"]


async def test_a_parcel_the_carrier_neither_picks_up_nor_delivers_in_time_is_put_to_a_person_each_time(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        handle = await world.place(policy=REAL_POLICY)
        await skipping_env.sleep(timedelta(minutes=31))
        await world.carrier.label_gate.entered.wait()

        await skipping_env.sleep(timedelta(days=3, minutes=1))
        await world.mailer.wait_for("ESCALATION")
        unpicked = await handle.query(OrderWorkflow.status)
        await handle.signal(OrderWorkflow.shipment_event, ShipmentEvent(type=ShipmentEventType.PICKED_UP))
        await skipping_env.sleep(timedelta(days=21, minutes=1))
        await world.mailer.wait_for("ESCALATION", count=2)
        undelivered = await handle.query(OrderWorkflow.status)
        await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.RETRY, by="sam"))
        await handle.signal(OrderWorkflow.shipment_event, ShipmentEvent(type=ShipmentEventType.DELIVERED))
        order = await handle.result()

    assert unpicked.status is OrderStatus.NEEDS_ATTENTION and unpicked.attention is not None
    assert unpicked.attention.step == "AWAIT_PICKUP" and "has not been picked up within 3 days" in unpicked.attention.problem
    assert undelivered.status is OrderStatus.NEEDS_ATTENTION and undelivered.attention is not None
    assert undelivered.attention.step == "AWAIT_DELIVERY" and undelivered.attention.actions == [ResolutionAction.RETRY]
    # The pickup scan closed the first question by itself; the person's RETRY and the delivery, the second.
    assert [e.detail for e in order.timeline if e.event == "RESOLVED"] == ["MARK_RESOLVED by carrier: PICKED_UP scanned",
                                                                        "RETRY by sam"]
    assert order.status is OrderStatus.COMPLETED and order.attention is None
