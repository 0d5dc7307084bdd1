"""Customer service reviews the requests policy does not grant alone: approved, denied, or nobody
decides in time and policy approves."""

from datetime import UTC, datetime, timedelta

from domain.order import OrderStatus
from domain.policy import OnReviewTimeout
from domain.requests import CancelReason, ReasonCode, ReviewDecision, Verdict
from domain.shipment import ShipmentEventType
from starter.scenarios.checks import (
    Goods,
    expect,
    expect_ended,
    expect_goods,
    expect_label,
    expect_mail,
    expect_message,
    expect_money,
)
from starter.scenarios.context import Context
from starter.scenarios.kit import LONG_WINDOW, REVIEW_EVERYTHING, REVIEWER, SHORT_WINDOW, ScenarioOrder

async def pending_review(run: ScenarioOrder) -> str:
    """The customer asks to cancel; policy sends the request to review. Its request id."""
    request = run.request()
    outcome = await run.cancel(request)
    answer = f"outcome {outcome.outcome} {outcome.reason_code}, expected PENDING_REVIEW"
    expect(outcome.outcome is Verdict.PENDING_REVIEW, answer)
    return request.request_id


async def review_approved(ctx: Context) -> str:
    # The default rule: a customer's request after the free window goes to review.
    run = ScenarioOrder(ctx, "review_approved", window=SHORT_WINDOW)
    await run.place()
    await run.until(lambda o: o.captured_minor > 0, "the capture, after the window")
    request_id = await pending_review(run)

    approved = await run.review(request_id, ReviewDecision.APPROVE, "customer moved")
    order = await run.until_status(OrderStatus.CANCELLED)

    expect(approved.outcome is Verdict.ACCEPTED, f"review answered {approved.outcome} {approved.reason_code}")
    record = order.cancellation(request_id)
    expect((record.reviewed_by, record.review_note) == (REVIEWER, "customer moved"), f"review recorded as {record}")
    expect_ended(order, OrderStatus.CANCELLED, CancelReason.CUSTOMER)
    expect(not order.has_live_label, "a live label is left")
    await expect_money(run, order, authorized=run.total, captured=run.total, refunded=run.total, intent="succeeded")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_label(run, order, "VOIDED" if order.shipment else None)
    await expect_mail(run, "CONFIRMATION", "CANCELLATION")
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
    order = await run.until(lambda o: o.shipment is not None, "fulfilment to resume: a label")
    await run.scan(ShipmentEventType.PICKED_UP, order)
    await run.scan(ShipmentEventType.DELIVERED, order)
    order = await run.until_status(OrderStatus.COMPLETED)

    verdict = (denied.outcome, denied.reason_code)
    expect(verdict == (Verdict.REJECTED, ReasonCode.REVIEW_DENIED), f"review answered {verdict}")
    expect_ended(order, OrderStatus.COMPLETED)
    await expect_money(run, order, authorized=run.total, captured=run.total, refunded=0, intent="succeeded")
    await expect_goods(run, Goods.SHIPPED)
    await expect_label(run, order, "DELIVERED")
    messages = await expect_mail(run, "CONFIRMATION", "REJECTION")
    expect_message(messages, "REJECTION", to=run.command.customer_email, says="already on its way")
    return "denied: the customer told why, the order shipped and COMPLETED"


async def review_deadline_expired(ctx: Context) -> str:
    # Nobody reviews within 3 s; policy then escalates to customer service and approves.
    policy = {**REVIEW_EVERYTHING, "review_deadline": timedelta(seconds=3), "on_review_timeout": OnReviewTimeout.APPROVE}
    run = ScenarioOrder(ctx, "review_deadline_expired", window=LONG_WINDOW, policy=policy)
    await run.place()
    await run.until_status(OrderStatus.CONFIRMED)
    request_id = await pending_review(run)

    order = await run.until_status(OrderStatus.CANCELLED)

    record = order.cancellation(request_id)
    seen = (record.outcome, record.reviewed_by, record.escalated)
    expect(seen == (Verdict.ACCEPTED, "policy", True), f"request outcome/reviewer/escalated {seen}")
    expect_ended(order, OrderStatus.CANCELLED, CancelReason.CUSTOMER)
    expect(order.authorization_voided, "authorization not voided")
    await expect_money(run, order, authorized=run.total, captured=0, refunded=0, intent="canceled")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_label(run, order, None)
    messages = await expect_mail(run, "CONFIRMATION", "ESCALATION", "CANCELLATION")
    expect_message(messages, "ESCALATION", to=run.command.policy.customer_service_email, says=request_id)
    return "escalated to customer service after 3 s, then approved by policy"
