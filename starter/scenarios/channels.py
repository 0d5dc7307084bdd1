"""The ways a request arrives: repeated, as a signal, two at once, or as a Temporal cancel."""

import asyncio

from domain.order import OrderStatus
from domain.requests import CancelReason, ReasonCode, RequestedBy, Verdict
from starter.scenarios.checks import Goods, expect, expect_ended, expect_goods, expect_label, expect_mail, expect_money
from starter.scenarios.context import Context
from starter.scenarios.kit import AFTER_WINDOW, LONG_WINDOW, SHORT_WINDOW, ScenarioOrder


async def duplicate_cancel(ctx: Context) -> str:
    # After capture, so that a second answer acted upon would show as a second refund.
    run = ScenarioOrder(ctx, "duplicate_cancel", window=SHORT_WINDOW)
    await run.place()
    await run.until(lambda o: o.captured_minor > 0, "the capture")
    request = run.request(by=AFTER_WINDOW)

    first = await run.cancel(request)
    again = await run.cancel(request)
    await ctx.orders.signal_cancel(run.order_id, request)
    order = await run.until_status(OrderStatus.CANCELLED)

    expect(first.outcome is Verdict.ACCEPTED, f"first outcome {first.outcome} {first.reason_code}")
    expect(again == first, f"repeated request answered {again.outcome} {again.reason_code}, not the first answer")
    expect(len(order.cancellations) == 1, f"{len(order.cancellations)} cancellation records, expected 1")
    expect_ended(order, OrderStatus.CANCELLED, CancelReason.CUSTOMER)
    await expect_money(run, order, authorized=run.total, captured=run.total, refunded=run.total, intent="succeeded")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_mail(run, "CONFIRMATION", "CANCELLATION")
    return "same answer 3 times, one refund"


async def cancel_by_signal(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "cancel_by_signal", window=LONG_WINDOW)
    await run.place()
    await run.until_status(OrderStatus.CONFIRMED)
    request = run.request()

    await ctx.orders.signal_cancel(run.order_id, request)
    order = await run.until_status(OrderStatus.CANCELLED)

    record = order.cancellation(request.request_id)
    expect(record is not None and record.outcome is Verdict.ACCEPTED, f"signalled request recorded as {record}")
    expect_ended(order, OrderStatus.CANCELLED, CancelReason.CUSTOMER)
    await expect_money(run, order, authorized=run.total, captured=0, refunded=0, intent="canceled")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_mail(run, "CONFIRMATION", "CANCELLATION")
    return "signal answered in the status: ACCEPTED"


async def two_concurrent_cancels(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "two_concurrent_cancels", window=SHORT_WINDOW)
    await run.place()
    await run.until(lambda o: o.captured_minor > 0, "the capture")

    first, second = run.request(by=AFTER_WINDOW), run.request(by=AFTER_WINDOW)
    outcomes = await asyncio.gather(run.cancel(first), run.cancel(second))

    verdicts = sorted((o.outcome.value, o.reason_code.value if o.reason_code else "") for o in outcomes)
    wanted = [("ACCEPTED", ""), ("REJECTED", ReasonCode.ALREADY_CANCELLED.value)]
    expect(verdicts == wanted, f"outcomes {verdicts}, expected {wanted}")
    order = await run.until_status(OrderStatus.CANCELLED)
    expect_ended(order, OrderStatus.CANCELLED, CancelReason.CUSTOMER)
    await expect_money(run, order, authorized=run.total, captured=run.total, refunded=run.total, intent="succeeded")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_mail(run, "CONFIRMATION", "CANCELLATION")
    return "one ACCEPTED, one ALREADY_CANCELLED, one refund"


async def temporal_cancel_request(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "temporal_cancel_request", window=LONG_WINDOW)
    await run.place()
    await run.until_status(OrderStatus.CONFIRMED)

    await ctx.orders.temporal_cancel(run.order_id)
    order = await run.until_status(OrderStatus.CANCELLED)

    expect_ended(order, OrderStatus.CANCELLED, CancelReason.STAFF)
    by = [c.requested_by for c in order.cancellations]
    expect(by == [RequestedBy.CUSTOMER_SERVICE], f"requests by {by}, expected one by customer_service")
    expect(order.authorization_voided, "authorization not voided")
    await expect_money(run, order, authorized=run.total, captured=0, refunded=0, intent="canceled")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_label(run, order, None)
    await expect_mail(run, "CONFIRMATION", "CANCELLATION")
    return "Temporal cancel compensated as STAFF"
