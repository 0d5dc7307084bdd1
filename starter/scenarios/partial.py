"""Cancelling some units of some lines: before capture the capture takes only the rest, after it only
those units are refunded, and cancelling every line one by one cancels the order."""

from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.requests import CancelReason, Verdict
from starter.scenarios.cancel_points import AFTER_CAPTURE, order_at
from starter.scenarios.checks import (
    expect,
    expect_ended,
    expect_label,
    expect_lines,
    expect_mail,
    expect_money,
    expect_units,
)
from starter.scenarios.context import Context
from starter.scenarios.endings import expect_refunded
from starter.scenarios.kit import ACT_WINDOW, AFTER_WINDOW, FEE, LINES, ScenarioOrder


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


async def expect_rest_delivered(
    run: ScenarioOrder, order: Order, cancelled: dict[str, int], *, captured: int, refunded: int
) -> None:
    """The order COMPLETED without the `cancelled` units (line letter -> quantity): they stayed on hand, every
    other unit was delivered; `captured` and `refunded` of the authorized total."""
    expect_ended(order, OrderStatus.COMPLETED)
    expect_lines(run, order, cancelled)
    expect(order.partially_cancelled, "order view: not partially cancelled")
    await expect_money(run, order, authorized=run.total, captured=captured, refunded=refunded, intent="succeeded")
    shipped = {letter: quantity - cancelled.get(letter, 0) for letter, (quantity, _) in LINES.items()}
    await expect_units(run, shipped=shipped)
    await expect_label(run, order, "DELIVERED")
    await expect_mail(run, "CONFIRMATION", "PARTIAL_CANCELLATION")


async def partial_cancel_before_capture(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "partial_cancel_before_capture", window=ACT_WINDOW)
    await run.place()
    await run.until_status(OrderStatus.CONFIRMED)

    # The customer's own request, inside the window: granted without review.
    outcome = await run.cancel(run.request(lines={"A": 1}))
    expect(outcome.outcome is Verdict.ACCEPTED, f"outcome {outcome.outcome} {outcome.reason_code}, expected ACCEPTED")
    order = await run.deliver()

    rest = price(("A", 1), ("B", 1)) + FEE
    await expect_rest_delivered(run, order, {"A": 1}, captured=rest, refunded=0)
    return f"1 x A cancelled before capture: captured {rest} of {run.total}"


async def partial_cancel_after_capture(ctx: Context) -> str:
    run = await order_at(ctx, "partial_cancel_after_capture", AFTER_CAPTURE)

    await accepted_part(run, B=1)
    order = await run.deliver()

    line_b = price(("B", 1))  # the shipping fee is kept: the rest of the order still ships
    await expect_rest_delivered(run, order, {"B": 1}, captured=run.total, refunded=line_b)
    return f"line B cancelled after capture: refunded {line_b}, fee kept"


async def cancel_every_line_one_by_one(ctx: Context) -> str:
    run = await order_at(ctx, "cancel_every_line_one_by_one", AFTER_CAPTURE)

    await accepted_part(run, A=2)
    outcome = await run.cancel(run.request(by=AFTER_WINDOW, lines={"B": 1}))
    expect(outcome.outcome is Verdict.ACCEPTED, f"last line: {outcome.outcome} {outcome.reason_code}, expected ACCEPTED")
    order = await run.until_status(OrderStatus.CANCELLED)

    expect_lines(run, order, {"A": 2, "B": 1})
    expect(not order.partially_cancelled, "order view: a cancelled order still says partially cancelled")
    # Two refunds: line A, then line B with the shipping fee, since nothing is left to ship.
    await expect_refunded(
        run, order, "CONFIRMATION", "PARTIAL_CANCELLATION", "CANCELLATION", reason=CancelReason.CUSTOMER, refunds=2
    )
    return f"A then B: refunds {price(('A', 2))} + {run.total - price(('A', 2))} = {run.total} captured"
