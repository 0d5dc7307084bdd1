"""The ways a request arrives: repeated, as a signal, two at once, or as a Temporal cancel."""

import asyncio

from domain.lifecycle import OrderStatus
from domain.requests import CancelReason, ReasonCode, RequestedBy, Verdict
from starter.scenarios.cancel_points import AFTER_CAPTURE, INSIDE_WINDOW, order_at
from starter.scenarios.checks import expect
from starter.scenarios.context import Context
from starter.scenarios.endings import expect_refunded, expect_voided

# The channels only Temporal offers: a system that can only signal, and an operator's cancel in Temporal.
SIGNAL = "cancel by signal"
CANCEL_REQUEST = "Temporal cancel request"


async def duplicate_cancel(ctx: Context) -> str:
    # After capture, so that a second answer acted upon would show as a second refund.
    run = await order_at(ctx, "duplicate_cancel", AFTER_CAPTURE)
    request = run.request(by=AFTER_CAPTURE.by)

    first = await run.cancel(request)
    again = await run.cancel(request)
    await ctx.temporal_only(SIGNAL).signal_cancel(run.order_id, request)
    order = await run.until_status(OrderStatus.CANCELLED)

    expect(first.outcome is Verdict.ACCEPTED, f"first outcome {first.outcome} {first.reason_code}")
    expect(again == first, f"repeated request answered {again.outcome} {again.reason_code}, not the first answer")
    expect(len(order.cancellations) == 1, f"{len(order.cancellations)} cancellation records, expected 1")
    await expect_refunded(run, order, "CONFIRMATION", "CANCELLATION", reason=CancelReason.CUSTOMER)
    return "same answer 3 times, one refund"


async def cancel_by_signal(ctx: Context) -> str:
    run = await order_at(ctx, "cancel_by_signal", INSIDE_WINDOW)
    request = run.request(by=INSIDE_WINDOW.by)

    await ctx.temporal_only(SIGNAL).signal_cancel(run.order_id, request)
    order = await run.until_status(OrderStatus.CANCELLED)

    record = order.cancellation(request.request_id)
    expect(record is not None and record.outcome is Verdict.ACCEPTED, f"signalled request recorded as {record}")
    await expect_voided(run, order, "CONFIRMATION", "CANCELLATION", reason=CancelReason.CUSTOMER)
    return "signal answered in the status: ACCEPTED"


async def two_concurrent_cancels(ctx: Context) -> str:
    run = await order_at(ctx, "two_concurrent_cancels", AFTER_CAPTURE)

    first, second = run.request(by=AFTER_CAPTURE.by), run.request(by=AFTER_CAPTURE.by)
    outcomes = await asyncio.gather(run.cancel(first), run.cancel(second))

    verdicts = sorted((o.outcome.value, o.reason_code.value if o.reason_code else "") for o in outcomes)
    wanted = [("ACCEPTED", ""), ("REJECTED", ReasonCode.ALREADY_CANCELLED.value)]
    expect(verdicts == wanted, f"outcomes {verdicts}, expected {wanted}")
    order = await run.until_status(OrderStatus.CANCELLED)
    await expect_refunded(run, order, "CONFIRMATION", "CANCELLATION", reason=CancelReason.CUSTOMER)
    return "one ACCEPTED, one ALREADY_CANCELLED, one refund"


async def temporal_cancel_request(ctx: Context) -> str:
    run = await order_at(ctx, "temporal_cancel_request", INSIDE_WINDOW)

    await ctx.temporal_only(CANCEL_REQUEST).temporal_cancel(run.order_id)
    order = await run.until_status(OrderStatus.CANCELLED)

    by = [c.requested_by for c in order.cancellations]
    expect(by == [RequestedBy.CUSTOMER_SERVICE], f"requests by {by}, expected one by customer_service")
    await expect_voided(run, order, "CONFIRMATION", "CANCELLATION", reason=CancelReason.STAFF)
    return "Temporal cancel compensated as STAFF"
