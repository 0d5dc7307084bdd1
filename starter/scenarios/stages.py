"""One cancellation at each stage before the parcel leaves, and exactly what it must undo there."""

from domain.order import Order, OrderStatus
from domain.requests import CancelReason, RequestedBy, Verdict
from starter.scenarios.checks import Goods, expect, expect_ended, expect_goods, expect_label, expect_mail, expect_money
from starter.scenarios.context import Context
from starter.scenarios.kit import AFTER_WINDOW, LONG_WINDOW, SHORT_WINDOW, ScenarioOrder


async def accepted(run: ScenarioOrder, by: RequestedBy = RequestedBy.CUSTOMER) -> Order:
    """Cancel for the customer; the answer must be ACCEPTED and the order must end CANCELLED."""
    outcome = await run.cancel(run.request(by=by))
    expect(outcome.outcome is Verdict.ACCEPTED, f"outcome {outcome.outcome} {outcome.reason_code}, expected ACCEPTED")
    order = await run.until_status(OrderStatus.CANCELLED)
    expect_ended(order, OrderStatus.CANCELLED, CancelReason.CUSTOMER)
    return order


async def cancel_inside_window(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "cancel_inside_window", window=LONG_WINDOW)
    await run.place()
    await run.until_status(OrderStatus.CONFIRMED)

    order = await accepted(run)

    expect(order.authorization_voided, "authorization not voided")
    await expect_money(run, order, authorized=run.total, captured=0, refunded=0, intent="canceled")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_label(run, order, None)
    await expect_mail(run, "CONFIRMATION", "CANCELLATION")
    return "hold voided, stock released"


async def cancel_after_capture(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "cancel_after_capture", window=SHORT_WINDOW)
    await run.place()
    await run.until(lambda o: o.captured_minor > 0, "the capture")

    order = await accepted(run, AFTER_WINDOW)

    # The label may or may not have been bought by the time the request was decided; either way none is left.
    expect(not order.has_live_label, "a live label is left")
    await expect_money(run, order, authorized=run.total, captured=run.total, refunded=run.total, intent="succeeded")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_label(run, order, "VOIDED" if order.shipment else None)
    await expect_mail(run, "CONFIRMATION", "CANCELLATION")
    return f"refunded {run.total}, stock released"


async def cancel_after_label(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "cancel_after_label", window=SHORT_WINDOW)
    await run.place()
    await run.until(lambda o: o.shipment is not None, "a label")

    order = await accepted(run, AFTER_WINDOW)

    await expect_money(run, order, authorized=run.total, captured=run.total, refunded=run.total, intent="succeeded")
    await expect_goods(run, Goods.RESTOCKED)
    await expect_label(run, order, "VOIDED")
    await expect_mail(run, "CONFIRMATION", "CANCELLATION")
    return f"label voided, refunded {run.total}"
