"""Intercepts, failing refunds, store credit and an unreachable gateway, on a real dev server."""


import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.lifecycle import OrderStatus, StockState
from domain.policy import Policy
from domain.requests import ReasonCode, RefundDestination, Resolution, ResolutionAction, Verdict
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.fakes import FAILING_REFUND_CARD, Gate
from tests.workflows.conftest import BRIEF, SHORT, TOTAL, World, customer_cancel, staff_cancel, watch_labels
from workflows.order import OrderWorkflow


def scan(kind: ShipmentEventType) -> ShipmentEvent:
    return ShipmentEvent(type=kind)


async def picked_up(world: World, policy: Policy = SHORT, **changes: object):
    """An order the carrier has picked up, its units being booked out: what arrives next waits for that."""
    watch_labels(world)
    world.inventory.ship_gate = Gate.watching()
    handle = await world.place_until(world.carrier.label_gate, policy=policy, **changes)
    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.PICKED_UP))
    await world.inventory.ship_gate.entered.wait()
    return handle


async def test_cancel_in_transit_requests_an_intercept_and_a_returned_parcel_is_restocked_and_refunded(
    world: World,
) -> None:
    handle = await picked_up(world)

    outcome = await handle.execute_update(OrderWorkflow.cancel, customer_cancel("r1"))
    await world.mailer.wait_for("RECALL_REQUESTED")
    for kind in (ShipmentEventType.INTERCEPTED, ShipmentEventType.RETURNED_TO_SENDER):
        await handle.signal(OrderWorkflow.shipment_event, scan(kind))
    order = await handle.result()

    assert outcome.outcome is Verdict.INTERCEPT_REQUESTED
    assert len(world.carrier.intercepts) == 1
    assert order.status is OrderStatus.CANCELLED
    assert order.cancellations[0].outcome is Verdict.ACCEPTED
    assert order.refunded_minor == order.captured_minor == TOTAL
    assert order.stock is StockState.RETURNED
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10} and world.inventory.shipped == {"MUG": 0, "TEA": 0}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "RECALL_REQUESTED", "CANCELLATION"]


async def test_a_parcel_the_carrier_never_scanned_has_its_label_voided_instead_of_an_intercept(world: World) -> None:
    world.carrier.never_scanned = True
    handle = await picked_up(world)  # by the warehouse: the carrier has no scan of it

    outcome = await handle.execute_update(OrderWorkflow.cancel, customer_cancel("r1"))
    order = await handle.result()

    assert outcome.outcome is Verdict.INTERCEPT_REQUESTED
    assert world.carrier.intercepts == [] and world.carrier.voided == {f"shp_{order.order_id}"}
    assert order.status is OrderStatus.CANCELLED and order.attention is None
    assert order.cancellations[0].outcome is Verdict.ACCEPTED
    assert order.refunded_minor == order.captured_minor == TOTAL
    assert order.stock is StockState.RETURNED
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10} and world.inventory.shipped == {"MUG": 0, "TEA": 0}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "RECALL_REQUESTED", "CANCELLATION"]


async def test_a_refused_intercept_rejects_the_request_suggesting_a_return_and_the_order_goes_on(world: World) -> None:
    handle = await picked_up(world)
    await handle.execute_update(OrderWorkflow.cancel, customer_cancel("r1"))

    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.INTERCEPT_FAILED))
    await world.mailer.wait_for("REJECTION")
    answer = await handle.execute_update(OrderWorkflow.cancel, customer_cancel("r1"))
    order = await handle.query(OrderWorkflow.status)

    assert (answer.outcome, answer.reason_code, answer.suggestion) == (
        Verdict.REJECTED,
        ReasonCode.INTERCEPT_FAILED,
        "RETURN",
    )
    assert order.status is OrderStatus.SHIPPED and order.refunded_minor == 0
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "RECALL_REQUESTED", "REJECTION"]
    await handle.terminate("test done")


async def test_a_failed_refund_needs_attention_and_store_credit_resolves_it_without_refunding_twice(
    world: World,
) -> None:
    handle = await picked_up(world, payment_method=FAILING_REFUND_CARD)
    await handle.execute_update(OrderWorkflow.cancel, staff_cancel())
    for kind in (ShipmentEventType.INTERCEPTED, ShipmentEventType.RETURNED_TO_SENDER):
        await handle.signal(OrderWorkflow.shipment_event, scan(kind))
    await world.mailer.wait_for("ESCALATION")
    stuck = await handle.query(OrderWorkflow.status)

    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(OrderWorkflow.resolve, {"action": "REFUND_TO_STORE_CREDIT"})
    resolved = await handle.execute_update(
        OrderWorkflow.resolve, Resolution(action=ResolutionAction.REFUND_TO_STORE_CREDIT, by="sam")
    )
    order = await handle.result()

    assert stuck.status is OrderStatus.NEEDS_ATTENTION
    assert stuck.attention is not None and "expired_or_canceled_card" in stuck.attention.problem
    assert ResolutionAction.REFUND_TO_STORE_CREDIT in stuck.attention.actions
    assert resolved.status is not OrderStatus.NEEDS_ATTENTION
    assert order.status is OrderStatus.CANCELLED
    assert (order.captured_minor, order.refunded_minor, order.store_credit_minor) == (TOTAL, TOTAL, TOTAL)
    assert sum(world.payments.refunded.values()) == 0
    assert world.payments.credited == {"cust-1": TOTAL}
    assert "store credit" in world.mailer.messages[-1].body


async def test_a_resolution_the_problem_does_not_allow_is_rejected_naming_the_allowed_ones(world: World) -> None:
    handle = await world.place_confirmed()

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.RETRY, by="sam"))

    assert "not waiting for a resolution" in str(rejected.value.cause)
    await handle.terminate("test done")


async def test_a_refund_to_store_credit_credits_the_customer_instead_of_the_card(world: World) -> None:
    capture = world.payments.capture_gate = Gate.watching()
    handle = await world.place_until(capture, policy=SHORT)

    await handle.execute_update(OrderWorkflow.cancel, staff_cancel(refund_to=RefundDestination.STORE_CREDIT))
    order = await handle.result()

    assert order.store_credit_minor == order.refunded_minor == TOTAL
    assert world.payments.refunded == {} and world.payments.credited == {"cust-1": TOTAL}


async def test_a_gateway_down_past_the_retry_budget_needs_attention_and_retry_resumes(world: World) -> None:
    world.payments.down = True
    handle = await world.place(policy=BRIEF)

    await world.mailer.wait_for("ESCALATION")
    stuck = await handle.query(OrderWorkflow.status)
    world.payments.down = False
    await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.RETRY, by="ops"))
    await world.mailer.wait_for("CONFIRMATION")
    await handle.terminate("test done")

    assert stuck.status is OrderStatus.NEEDS_ATTENTION and stuck.attention is not None
    assert stuck.attention.step == "AUTHORIZE_PAYMENT"
    assert "retry budget" in stuck.attention.problem


async def cancelled_after_capture_until_stuck(world: World) -> WorkflowHandle:
    """Cancel a captured order with a brief retry and refund budget, and wait until a person is asked."""
    capture = world.payments.capture_gate = Gate.watching()
    handle = await world.place_until(capture, policy=BRIEF)
    await handle.execute_update(OrderWorkflow.cancel, staff_cancel())
    await world.mailer.wait_for("ESCALATION")
    return handle


async def test_a_refund_still_pending_past_its_deadline_is_not_offered_store_credit_and_settles_once_marked(
    world: World,
) -> None:
    world.payments.refunds_settle = False
    handle = await cancelled_after_capture_until_stuck(world)
    stuck = await handle.query(OrderWorkflow.status)

    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.REFUND_TO_STORE_CREDIT, by="sam"))
    await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.MARK_RESOLVED, by="sam"))
    order = await handle.result()

    assert stuck.attention is not None and "has not settled" in stuck.attention.problem
    assert stuck.attention.actions == [ResolutionAction.RETRY, ResolutionAction.MARK_RESOLVED]
    assert stuck.refund_pending_minor == TOTAL
    assert order.status is OrderStatus.CANCELLED
    assert (order.refunded_minor, order.refund_pending_minor, order.store_credit_minor) == (TOTAL, 0, 0)
    assert world.payments.credited == {} and len(world.payments.refunds) == 1


async def test_a_refund_whose_answer_was_lost_is_retried_under_its_key_and_refunds_once(world: World) -> None:
    world.payments.refund_lost = True
    handle = await cancelled_after_capture_until_stuck(world)
    stuck = await handle.query(OrderWorkflow.status)

    world.payments.refund_lost = False
    await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.RETRY, by="ops"))
    order = await handle.result()

    assert stuck.attention is not None
    assert stuck.attention.actions == [ResolutionAction.RETRY, ResolutionAction.MARK_RESOLVED]
    assert order.status is OrderStatus.CANCELLED and order.refunded_minor == TOTAL
    assert sum(world.payments.refunded.values()) == TOTAL and len(world.payments.refunds) == 1


async def test_store_credit_whose_answer_was_lost_is_asked_again_under_its_key_and_credits_once(world: World) -> None:
    handle = await picked_up(world, policy=BRIEF, payment_method=FAILING_REFUND_CARD)
    await handle.execute_update(OrderWorkflow.cancel, staff_cancel())
    for kind in (ShipmentEventType.INTERCEPTED, ShipmentEventType.RETURNED_TO_SENDER):
        await handle.signal(OrderWorkflow.shipment_event, scan(kind))
    await world.mailer.wait_for("ESCALATION")
    world.payments.credit_lost = True
    credit = Resolution(action=ResolutionAction.REFUND_TO_STORE_CREDIT, by="sam")
    await handle.execute_update(OrderWorkflow.resolve, credit)
    await world.mailer.wait_for("ESCALATION", count=2)
    stuck = await handle.query(OrderWorkflow.status)

    world.payments.credit_lost = False
    await handle.execute_update(OrderWorkflow.resolve, credit)
    order = await handle.result()

    assert stuck.attention is not None and "store credit failed" in stuck.attention.problem
    assert stuck.attention.actions == [ResolutionAction.REFUND_TO_STORE_CREDIT, ResolutionAction.MARK_RESOLVED]
    assert order.status is OrderStatus.CANCELLED
    assert (order.refunded_minor, order.store_credit_minor) == (TOTAL, TOTAL)
    assert world.payments.credited == {"cust-1": TOTAL} and sum(world.payments.refunded.values()) == 0


async def test_a_parcel_delivered_while_its_recall_is_pending_rejects_the_recall_suggesting_a_return(
    world: World,
) -> None:
    handle = await picked_up(world)
    await handle.execute_update(OrderWorkflow.cancel, customer_cancel("r1"))

    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.DELIVERED))
    await world.mailer.wait_for("REJECTION")
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    record = order.cancellation("r1")
    assert (record.outcome, record.reason_code, record.suggestion) == (Verdict.REJECTED, ReasonCode.INTERCEPT_FAILED, "RETURN")
    assert order.status is OrderStatus.DELIVERED and order.refunded_minor == 0


async def test_a_label_the_carrier_will_not_void_needs_a_person_and_marking_it_resolved_ends_the_cancellation(
    world: World,
) -> None:
    watch_labels(world)
    handle = await world.place_until(world.carrier.label_gate, policy=BRIEF)
    # The carrier scanned the parcel, but its scan has not reached the order.
    world.carrier.scanned.add(f"shp_{handle.id.removeprefix('order-')}")

    await handle.execute_update(OrderWorkflow.cancel, staff_cancel())
    await world.mailer.wait_for("ESCALATION")
    stuck = await handle.query(OrderWorkflow.status)
    gone = Resolution(action=ResolutionAction.MARK_RESOLVED, by="sam", note="carrier confirmed it was never collected")
    await handle.execute_update(OrderWorkflow.resolve, gone)
    order = await handle.result()

    assert stuck.attention is not None and "LabelNotVoidable" in stuck.attention.problem
    assert stuck.attention.actions == [ResolutionAction.RETRY, ResolutionAction.MARK_RESOLVED]
    assert order.status is OrderStatus.CANCELLED and order.refunded_minor == order.captured_minor == TOTAL
    assert world.carrier.voided == set() and order.shipment is not None and order.shipment.label_voided


async def test_a_parcel_that_comes_back_undelivered_is_put_to_a_person_and_cancelling_restocks_and_refunds(
    world: World,
) -> None:
    handle = await picked_up(world)
    await world.mailer.wait_for("CONFIRMATION")
    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.RETURNED_TO_SENDER))
    await world.mailer.wait_for("ESCALATION")
    stuck = await handle.query(OrderWorkflow.status)

    outcome = await handle.execute_update(OrderWorkflow.cancel, staff_cancel("back"))
    order = await handle.result()

    assert stuck.attention is not None and stuck.attention.step == "RETURNED_UNDELIVERED"
    assert "came back undelivered" in stuck.attention.problem
    assert outcome.outcome is Verdict.ACCEPTED and order.status is OrderStatus.CANCELLED
    assert order.refunded_minor == order.captured_minor == TOTAL and order.stock is StockState.RETURNED
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10} and world.carrier.intercepts == []


async def test_a_parcel_sent_again_after_it_came_back_is_awaited_until_delivered(world: World) -> None:
    handle = await picked_up(world)
    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.RETURNED_TO_SENDER))
    await world.mailer.wait_for("ESCALATION")

    resent = Resolution(action=ResolutionAction.MARK_RESOLVED, by="sam", note="sent again to the corrected address")
    await handle.execute_update(OrderWorkflow.resolve, resent)
    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.DELIVERED))
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    assert order.status is OrderStatus.DELIVERED and order.attention is None
    assert "PARCEL_RESENT" in [entry.event for entry in order.timeline]
