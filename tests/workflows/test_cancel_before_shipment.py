"""Every stage before the carrier's pickup, times a cancellation, on a real dev server."""

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import WithStartWorkflowOperation, WorkflowUpdateStage
from temporalio.common import WorkflowIDConflictPolicy

from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.policy import Policy
from domain.requests import CancellationOutcome, CancellationRequest, CancelReason, LineSelection, ReasonCode, Verdict
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.fakes import DECLINED_CARD, Gate
from tests.workflows.conftest import SHORT, TOTAL, World, an_order, customer_cancel, staff_cancel
from workflows.order import OrderWorkflow


async def cancel_while_held(
    world: World, gate: Gate, request: CancellationRequest, policy: Policy = SHORT
) -> tuple[CancellationOutcome, Order]:
    """Send `request` while the call behind `gate` is held, then let the call finish: the request's
    outcome and the order as the workflow ends it."""
    handle = await world.place_until(gate, policy=policy)
    # Accepted means the validator ran inside the workflow: the request is in, the step still held.
    pending = await handle.start_update(OrderWorkflow.cancel, request, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    gate.opened.set()
    return await pending.result(), await handle.result()


async def test_cancel_inside_the_window_voids_the_hold_and_releases_the_stock(world: World) -> None:
    handle = await world.place_confirmed()

    outcome = await handle.execute_update(OrderWorkflow.cancel, customer_cancel())
    order = await handle.result()

    assert outcome.outcome is Verdict.ACCEPTED
    assert order.status is OrderStatus.CANCELLED
    assert world.payments.voided == {order.authorization_id}
    assert world.payments.captured == {}
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "CANCELLATION"]
    assert "hold on your card has been released" in world.mailer.messages[-1].body


async def test_cancel_while_capture_is_in_flight_is_decided_after_it_and_refunds(world: World) -> None:
    capture = world.payments.capture_gate = Gate()

    outcome, order = await cancel_while_held(world, capture, staff_cancel())

    assert outcome.outcome is Verdict.ACCEPTED
    assert (order.authorized_minor, order.captured_minor, order.refunded_minor) == (TOTAL, TOTAL, TOTAL)
    assert sum(world.payments.refunded.values()) == TOTAL
    assert order.shipment is None and world.carrier.labels == {}
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert "We refunded 38.98 EUR" in world.mailer.messages[-1].body


async def test_cancel_while_the_label_is_bought_voids_the_label_refunds_and_restocks(world: World) -> None:
    label = world.carrier.label_gate = Gate()

    outcome, order = await cancel_while_held(world, label, staff_cancel())

    assert outcome.outcome is Verdict.ACCEPTED
    assert order.shipment is not None and order.shipment.label_voided
    assert world.carrier.voided == {order.shipment.shipment_id}
    assert order.refunded_minor == order.captured_minor == TOTAL
    assert order.stock is StockState.RELEASED


async def test_cancel_without_restock_quarantines_the_units(world: World) -> None:
    handle = await world.place_confirmed()

    await handle.execute_update(OrderWorkflow.cancel, customer_cancel(restock=False))
    order = await handle.result()

    assert order.stock is StockState.QUARANTINED
    assert world.inventory.quarantined == {"MUG": 2, "TEA": 1}
    assert world.inventory.on_hand == {"MUG": 8, "TEA": 9}


async def test_a_partial_cancel_after_pickup_is_rejected_as_already_shipped_and_the_customer_is_told(
    world: World,
) -> None:
    label = world.carrier.label_gate = Gate()
    handle = await world.place_until(label, policy=SHORT)
    await handle.signal(OrderWorkflow.shipment_event, ShipmentEvent(type=ShipmentEventType.PICKED_UP))
    label.opened.set()

    outcome = await handle.execute_update(
        OrderWorkflow.cancel, customer_cancel(lines=[LineSelection(sku="MUG", quantity=1)])
    )
    order = await handle.query(OrderWorkflow.status)

    assert outcome.outcome is Verdict.REJECTED
    assert outcome.reason_code is ReasonCode.ALREADY_SHIPPED
    assert order.status is OrderStatus.SHIPPED
    assert order.refunded_minor == 0 and world.carrier.voided == set()
    await world.mailer.wait_for("REJECTION")
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "REJECTION"]


async def test_a_declined_card_cancels_the_order_with_reason_declined(world: World) -> None:
    handle = await world.place(payment_method=DECLINED_CARD)

    order = await handle.result()

    assert order.status is OrderStatus.CANCELLED
    assert order.cancellation_reason is CancelReason.DECLINED
    assert order.stock is StockState.NONE and world.inventory.reserved == {}
    assert world.mailer.kinds(order.order_id) == ["CANCELLATION"]
    assert "payment was declined" in world.mailer.messages[0].body


async def test_out_of_stock_voids_the_hold_and_cancels_with_reason_inventory(world: World) -> None:
    world.inventory.on_hand["MUG"] = 1
    handle = await world.place()

    order = await handle.result()

    assert order.cancellation_reason is CancelReason.INVENTORY
    assert world.payments.voided == {order.authorization_id}
    assert world.inventory.on_hand["MUG"] == 1


async def test_out_of_stock_cancels_an_order_whose_customer_request_awaits_review(world: World) -> None:
    world.inventory.on_hand["MUG"] = 1
    authorize = world.payments.authorize_gate = Gate()
    reviewed = SHORT.model_copy(update={"review_above_minor": 1000})

    outcome, order = await cancel_while_held(world, authorize, customer_cancel(), reviewed)

    # The review opened once the hold was placed; the stock check then cancelled the order under it.
    assert outcome.outcome is Verdict.PENDING_REVIEW
    assert order.status is OrderStatus.CANCELLED and order.cancellation_reason is CancelReason.INVENTORY
    assert order.cancellation("req-1").reason_code is ReasonCode.SUPERSEDED
    assert world.payments.voided == {order.authorization_id}
    assert world.mailer.kinds(order.order_id) == ["CANCELLATION"]


async def test_a_repeated_request_id_gets_the_first_outcome_and_compensates_once(world: World) -> None:
    handle = await world.place_confirmed()

    first = await handle.execute_update(OrderWorkflow.cancel, customer_cancel())
    again = await handle.execute_update(OrderWorkflow.cancel, customer_cancel())
    order = await handle.result()

    assert again == first
    assert len(order.cancellations) == 1
    assert max(world.payments.calls.values()) == 1
    assert max(world.mailer.sent.values()) == 1


async def test_two_concurrent_cancels_accept_one_and_reject_the_other(world: World) -> None:
    handle = await world.place_confirmed()

    outcomes = await asyncio.gather(
        handle.execute_update(OrderWorkflow.cancel, customer_cancel("a")),
        handle.execute_update(OrderWorkflow.cancel, staff_cancel("b")),
    )

    verdicts = sorted((o.outcome, o.reason_code) for o in outcomes)
    assert verdicts == [(Verdict.ACCEPTED, None), (Verdict.REJECTED, ReasonCode.ALREADY_CANCELLED)]
    order = await handle.result()
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "CANCELLATION"]
    assert len(world.payments.voided) == 1


async def test_cancel_by_signal_gets_the_same_decision_visible_in_status(world: World) -> None:
    handle = await world.place_confirmed()

    await handle.signal(OrderWorkflow.request_cancellation, customer_cancel("sig-1"))
    order = await handle.result()

    assert order.status is OrderStatus.CANCELLED
    assert [(c.request_id, c.outcome) for c in order.cancellations] == [("sig-1", Verdict.ACCEPTED)]


async def test_a_request_on_a_cancelled_order_is_rejected_as_already_cancelled(world: World) -> None:
    handle = await world.place_confirmed(policy=SHORT.model_copy(update={"answer_period": timedelta(minutes=5)}))
    await handle.execute_update(OrderWorkflow.cancel, customer_cancel("first"))

    outcome = await handle.execute_update(OrderWorkflow.cancel, customer_cancel("second"))

    assert (outcome.outcome, outcome.reason_code) == (Verdict.REJECTED, ReasonCode.ALREADY_CANCELLED)
    await handle.terminate("test done")


@pytest.mark.parametrize("channel", ["signal-with-start", "update-with-start"])
async def test_a_cancellation_sent_with_the_start_cancels_before_anything_is_held(world: World, channel: str) -> None:
    order = an_order()
    start = {"id": f"order-{order.order_id}", "task_queue": world.task_queue}
    request = customer_cancel("at-once")

    if channel == "signal-with-start":
        handle = await world.client.start_workflow(
            OrderWorkflow.run, order, start_signal="request_cancellation", start_signal_args=[request], **start
        )
    else:
        operation = WithStartWorkflowOperation(
            OrderWorkflow.run, order, id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, **start
        )
        outcome = await world.client.execute_update_with_start_workflow(
            OrderWorkflow.cancel, request, start_workflow_operation=operation
        )
        assert outcome.outcome is Verdict.ACCEPTED
        handle = await operation.workflow_handle()
    ended = await handle.result()

    assert ended.status is OrderStatus.CANCELLED
    assert ended.authorized_minor == 0 and world.payments.authorized == {}
    assert world.inventory.reserved == {}
    assert world.mailer.kinds(order.order_id) == ["CANCELLATION"]
