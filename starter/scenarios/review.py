"""Customer service reviews the requests policy does not grant alone: approved, denied, or nobody
decides in time and policy approves."""

from datetime import UTC, datetime, timedelta

from domain.lifecycle import OrderStatus
from domain.policy import OnReviewTimeout
from domain.requests import CancelReason, ReasonCode, ReviewDecision, Verdict
from starter.scenarios.cancel_points import AFTER_CAPTURE, AFTER_LABEL, INSIDE_WINDOW, order_at
from starter.scenarios.checks import expect, expect_message
from starter.scenarios.context import Context
from starter.scenarios.endings import expect_completed, expect_refunded, expect_voided
from starter.scenarios.kit import REVIEW_EVERYTHING, REVIEWER, SHORT_WINDOW, ScenarioOrder


async def pending_review(run: ScenarioOrder) -> str:
    """The customer asks to cancel; policy sends the request to review. Its request id."""
    request = run.request()
    outcome = await run.cancel(request)
    answer = f"outcome {outcome.outcome} {outcome.reason_code}, expected PENDING_REVIEW"
    expect(outcome.outcome is Verdict.PENDING_REVIEW, answer)
    return request.request_id


async def review_approved(ctx: Context) -> str:
    # The default rule: a customer's request after the free window goes to review.
    run = await order_at(ctx, "review_approved", AFTER_CAPTURE)
    request_id = await pending_review(run)

    approved = await run.review(request_id, ReviewDecision.APPROVE, "customer moved")
    order = await run.until_status(OrderStatus.CANCELLED)

    expect(approved.outcome is Verdict.ACCEPTED, f"review answered {approved.outcome} {approved.reason_code}")
    record = order.cancellation(request_id)
    expect((record.reviewed_by, record.review_note) == (REVIEWER, "customer moved"), f"review recorded as {record}")
    await expect_refunded(run, order, "CONFIRMATION", "CANCELLATION", reason=CancelReason.CUSTOMER)
    return f"approved by {REVIEWER}: refunded {run.total}"


async def review_denied(ctx: Context) -> str:
    # Every customer request is reviewed, and this one is sent before capture can happen at all.
    run = ScenarioOrder(ctx, "review_denied", window=SHORT_WINDOW, policy=REVIEW_EVERYTHING)
    await run.place()
    request_id = await pending_review(run)
    held = await run.until(
        lambda o: o.window_closes_at is not None and datetime.now(UTC) > o.window_closes_at + timedelta(seconds=1),
        "the window to close while the review is open",
    )
    expect(held.captured_minor == 0, f"captured {held.captured_minor} while the review was open")

    denied = await run.review(request_id, ReviewDecision.DENY, "already on its way")
    # Once denied, fulfilment resumes: a label, then the parcel goes.
    order = await run.deliver()

    verdict = (denied.outcome, denied.reason_code)
    expect(verdict == (Verdict.REJECTED, ReasonCode.REVIEW_DENIED), f"review answered {verdict}")
    messages = await expect_completed(run, order, "CONFIRMATION", "REJECTION")
    expect_message(messages, "REJECTION", to=run.command.customer_email, says="already on its way")
    return "denied: the customer told why, the order shipped and COMPLETED"


async def review_holds_the_parcel(ctx: Context) -> str:
    # Past the window with the label bought: the parcel waits at the shipper while customer service decides.
    run = await order_at(ctx, "review_holds_the_parcel", AFTER_LABEL)
    request_id = await pending_review(run)
    held = await run.until(lambda o: o.shipment is not None and o.shipment.held_for == request_id, "the parcel held")
    assert held.shipment is not None
    pickup = await ctx.sandbox.post(f"/carrier/shipments/{held.shipment.shipment_id}/scan", json={"event": "PICKED_UP"})
    refused = pickup.status_code == 409 and pickup.json()["error"]["type"] == "pickup_on_hold"
    expect(refused, f"the carrier collected a held parcel: HTTP {pickup.status_code}")

    await run.review(request_id, ReviewDecision.DENY, "already packed")
    await run.until(lambda o: o.shipment is not None and o.shipment.held_for is None, "the hold released")
    order = await run.deliver()

    await expect_completed(run, order, "CONFIRMATION", "REJECTION")
    return "held at the shipper while in review; denied: released, shipped and COMPLETED"


async def review_deadline_expired(ctx: Context) -> str:
    # Nobody reviews within 3 s; policy then escalates to customer service and approves.
    policy = {**REVIEW_EVERYTHING, "review_deadline": timedelta(seconds=3), "on_review_timeout": OnReviewTimeout.APPROVE}
    run = await order_at(ctx, "review_deadline_expired", INSIDE_WINDOW, policy=policy)
    request_id = await pending_review(run)

    order = await run.until_status(OrderStatus.CANCELLED)

    record = order.cancellation(request_id)
    seen = (record.outcome, record.reviewed_by, record.escalated)
    expect(seen == (Verdict.ACCEPTED, "policy", True), f"request outcome/reviewer/escalated {seen}")
    mail = ("CONFIRMATION", "ESCALATION", "CANCELLATION")
    messages = await expect_voided(run, order, *mail, reason=CancelReason.CUSTOMER)
    expect_message(messages, "ESCALATION", to=run.command.policy.customer_service_email, says=request_id)
    return "escalated to customer service after 3 s, then approved by policy"
