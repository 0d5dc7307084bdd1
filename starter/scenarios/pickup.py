"""Cancelling after the carrier has the parcel: only an intercept can bring it back, and it may fail;
once delivered, it is a return."""

from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.requests import CancelReason, ReasonCode, Suggestion, Verdict
from domain.shipment import ShipmentEventType
from starter.scenarios.checks import expect
from starter.scenarios.context import Context
from starter.scenarios.endings import expect_completed, expect_refunded
from starter.scenarios.kit import SHORT_WINDOW, UNINTERCEPTABLE, ScenarioOrder


async def recall_after_pickup(run: ScenarioOrder, *scans: ShipmentEventType) -> tuple[Order, str]:
    """Pick the parcel up (and scan it further), then ask to cancel: the answer is at once
    INTERCEPT_REQUESTED, the outcome later."""
    await run.place()
    order = await run.hand_to_carrier()
    for kind in scans:
        await run.scan(kind, order)
    if scans:
        await run.until(lambda o: o.shipment is not None and o.shipment.last_event is scans[-1], f"the {scans[-1]} scan")
    request = run.request()
    outcome = await run.cancel(request)
    expect(outcome.outcome is Verdict.INTERCEPT_REQUESTED, f"outcome {outcome.outcome}, expected INTERCEPT_REQUESTED")
    return order, request.request_id


async def intercept_refused(ctx: Context) -> str:
    # The carrier refuses every intercept of a parcel going to postal code 00000.
    run = ScenarioOrder(ctx, "intercept_refused", window=SHORT_WINDOW, address=UNINTERCEPTABLE)
    order, request_id = await recall_after_pickup(run)

    settled = await run.until(lambda o: not o.cancellation(request_id).open, "the carrier's answer")
    record = settled.cancellation(request_id)
    expect(record.outcome is Verdict.REJECTED, f"outcome {record.outcome}, expected REJECTED")
    expect(record.reason_code is ReasonCode.INTERCEPT_FAILED, f"reason code {record.reason_code}")
    expect(record.suggestion is Suggestion.RETURN, f"suggestion {record.suggestion}, expected RETURN")
    # Then it goes on as if nobody had asked: delivered, and completed after the return period.
    await run.scan(ShipmentEventType.DELIVERED, order)
    order = await run.until_status(OrderStatus.COMPLETED)
    await expect_completed(run, order, "CONFIRMATION", "RECALL_REQUESTED", "REJECTION")
    return "intercept refused: REJECTED (return it instead), then COMPLETED"


async def cancel_in_transit_intercepted(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "cancel_in_transit_intercepted", window=SHORT_WINDOW)
    order, request_id = await recall_after_pickup(run, ShipmentEventType.IN_TRANSIT)

    order = await run.until_status(OrderStatus.CANCELLED)

    record = order.cancellation(request_id)
    expect(record.outcome is Verdict.ACCEPTED, f"outcome {record.outcome} {record.reason_code}, expected ACCEPTED")
    expect(order.shipment is not None and order.shipment.returned, "order view: parcel not returned")
    mail = ("CONFIRMATION", "RECALL_REQUESTED", "CANCELLATION")
    await expect_refunded(run, order, *mail, reason=CancelReason.CUSTOMER, label="RETURNED_TO_SENDER")
    return f"returned to sender, restocked, refunded {run.total}"


async def cancel_after_delivery_rejected(ctx: Context) -> str:
    # A return period of some seconds, so that the request lands while the order is DELIVERED, not COMPLETED.
    run = ScenarioOrder(ctx, "cancel_after_delivery_rejected", window=SHORT_WINDOW, policy={"return_period": 5})
    await run.place()
    await run.deliver(until=OrderStatus.DELIVERED)

    outcome = await run.cancel(run.request())

    answer = (outcome.outcome, outcome.reason_code, outcome.suggestion)
    wanted = (Verdict.REJECTED, ReasonCode.ALREADY_DELIVERED, Suggestion.RETURN)
    expect(answer == wanted, f"answer {answer}, expected {wanted}")
    order = await run.until_status(OrderStatus.COMPLETED)
    await expect_completed(run, order, "CONFIRMATION", "REJECTION")
    return "delivered: REJECTED ALREADY_DELIVERED (return it instead), then COMPLETED"
