"""Cancelling some units of some lines: before capture the capture takes only the rest, after it only
those units are refunded, and cancelling every line one by one cancels the order."""

from domain.order import Order, OrderStatus
from domain.requests import CancelReason, Verdict
from domain.shipment import ShipmentEventType
from starter.scenarios.checks import (
    Goods,
    expect,
    expect_ended,
    expect_goods,
    expect_label,
    expect_lines,
    expect_mail,
    expect_money,
    expect_units,
)
from starter.scenarios.context import Context
from starter.scenarios.kit import ACT_WINDOW, AFTER_WINDOW, FEE, LINES, SHORT_WINDOW, ScenarioOrder


def price(*units: tuple[str, int]) -> int:
    return sum(LINES[letter][1] * quantity for letter, quantity in units)


async def accepted_part(run: ScenarioOrder, **lines: int) -> None:
    """Cancel these units for the customer; once ACCEPTED, wait until their stock and money are dealt with."""
    outcome = await run.cancel(run.request(by=AFTER_WINDOW, lines=lines))
    expect(outcome.outcome is Verdict.ACCEPTED, f"outcome {outcome.outcome} {outcome.reason_code}, expected ACCEPTED")
    await run.until(
        lambda o: any(e.event == "STOCK_PARTLY_RELEASED" for e in o.timeline) and o.refund_pending_minor == 0,
        "the cancelled units to be released and refunded",
    )


async def deliver(run: ScenarioOrder) -> Order:
    """What is left of the order ships and is delivered; it ends COMPLETED."""
    order = await run.until(lambda o: o.shipment is not None, "a label")
    await run.scan(ShipmentEventType.PICKED_UP, order)
    await run.scan(ShipmentEventType.DELIVERED, order)
    return await run.until_status(OrderStatus.COMPLETED)


async def partial_cancel_before_capture(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "partial_cancel_before_capture", window=ACT_WINDOW)
    await run.place()
    await run.until_status(OrderStatus.CONFIRMED)

    # The customer's own request, inside the window: granted without review.
    outcome = await run.cancel(run.request(lines={"A": 1}))
    expect(outcome.outcome is Verdict.ACCEPTED, f"outcome {outcome.outcome} {outcome.reason_code}, expected ACCEPTED")
    order = await deliver(run)

    rest = price(("A", 1), ("B", 1)) + FEE
    expect_ended(order, OrderStatus.COMPLETED)
    expect_lines(run, order, {"A": 1})
    expect(order.partially_cancelled, "order view: not partially cancelled")
    await expect_money(run, order, authorized=run.total, captured=rest, refunded=0, intent="succeeded")
    await expect_units(run, shipped={"A": 1, "B": 1})
    await expect_label(run, order, "DELIVERED")
    await expect_mail(run, "CONFIRMATION", "PARTIAL_CANCELLATION")
    return f"1 x A cancelled before capture: captured {rest} of {run.total}"


async def partial_cancel_after_capture(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "partial_cancel_after_capture", window=SHORT_WINDOW)
    await run.place()
    await run.until(lambda o: o.captured_minor > 0, "the capture")

    await accepted_part(run, B=1)
    order = await deliver(run)

    line_b = price(("B", 1))  # the shipping fee is kept: the rest of the order still ships
    expect_ended(order, OrderStatus.COMPLETED)
    expect_lines(run, order, {"B": 1})
    await expect_money(run, order, authorized=run.total, captured=run.total, refunded=line_b, intent="succeeded")
    await expect_units(run, shipped={"A": 2})
    await expect_label(run, order, "DELIVERED")
    await expect_mail(run, "CONFIRMATION", "PARTIAL_CANCELLATION")
    return f"line B cancelled after capture: refunded {line_b}, fee kept"


async def cancel_every_line_one_by_one(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "cancel_every_line_one_by_one", window=SHORT_WINDOW)
    await run.place()
    await run.until(lambda o: o.captured_minor > 0, "the capture")

    await accepted_part(run, A=2)
    outcome = await run.cancel(run.request(by=AFTER_WINDOW, lines={"B": 1}))
    expect(outcome.outcome is Verdict.ACCEPTED, f"last line: {outcome.outcome} {outcome.reason_code}, expected ACCEPTED")
    order = await run.until_status(OrderStatus.CANCELLED)

    expect_ended(order, OrderStatus.CANCELLED, CancelReason.CUSTOMER)
    expect_lines(run, order, {"A": 2, "B": 1})
    expect(not order.partially_cancelled, "order view: a cancelled order still says partially cancelled")
    # Two refunds: line A, then line B with the shipping fee, since nothing is left to ship.
    await expect_money(
        run, order, authorized=run.total, captured=run.total, refunded=run.total, intent="succeeded", refunds=2
    )
    await expect_goods(run, Goods.RESTOCKED)
    await expect_label(run, order, "VOIDED" if order.shipment else None)
    await expect_mail(run, "CONFIRMATION", "PARTIAL_CANCELLATION", "CANCELLATION")
    return f"A then B: refunds {price(('A', 2))} + {run.total - price(('A', 2))} = {run.total} captured"
