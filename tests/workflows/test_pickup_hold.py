"""While a customer's request awaits review, the labelled parcel is not handed to the carrier."""

from temporalio.client import WorkflowHandle

from domain.lifecycle import OrderStatus
from domain.requests import CancellationReview, ReviewDecision, Verdict
from tests.fakes import Gate
from tests.workflows.conftest import SHORT, TOTAL, World, customer_cancel, watch_labels
from workflows.order import OrderWorkflow


async def held_for_review(world: World) -> WorkflowHandle:
    """An order past its window with its label bought, whose customer asked to cancel: held for review."""
    watch_labels(world)
    world.carrier.hold_gate = Gate.watching()
    handle = await world.place_until(world.carrier.label_gate, policy=SHORT)
    pending = await handle.execute_update(OrderWorkflow.cancel, customer_cancel("late"))
    assert pending.outcome is Verdict.PENDING_REVIEW
    await world.carrier.hold_gate.entered.wait()
    return handle


def review(decision: ReviewDecision) -> CancellationReview:
    return CancellationReview(request_id="late", decision=decision, reviewer="sam", note="checked")


async def test_a_denied_review_releases_the_held_parcel_to_the_carrier(world: World) -> None:
    handle = await held_for_review(world)
    held = set(world.carrier.held)
    world.carrier.release_gate = Gate.watching()

    denied = await handle.execute_update(OrderWorkflow.review_cancellation, review(ReviewDecision.DENY))
    await world.carrier.release_gate.entered.wait()
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    assert denied.outcome is Verdict.REJECTED
    assert held == {f"shp_{order.order_id}"} and world.carrier.held == set()
    assert world.carrier.holds == [f"{order.order_id}:hold_pickup:late", f"{order.order_id}:release_pickup:late"]
    assert order.status is OrderStatus.FULFILLING and order.captured_minor == TOTAL


async def test_an_approved_review_voids_the_held_parcels_label_and_refunds(world: World) -> None:
    handle = await held_for_review(world)

    approved = await handle.execute_update(OrderWorkflow.review_cancellation, review(ReviewDecision.APPROVE))
    order = await handle.result()

    assert approved.outcome is Verdict.ACCEPTED
    assert order.status is OrderStatus.CANCELLED and order.refunded_minor == TOTAL
    assert world.carrier.voided == {f"shp_{order.order_id}"}
    assert world.carrier.holds == [f"{order.order_id}:hold_pickup:late"]
    events = [entry.event for entry in order.timeline]
    assert events.index("PICKUP_HELD") < events.index("LABEL_VOIDED")
