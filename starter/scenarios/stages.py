"""One cancellation at each stage before the parcel leaves, and exactly what it must undo there."""

from domain.lifecycle import OrderStatus
from domain.requests import CancelReason, Verdict
from starter.scenarios.cancel_points import AFTER_CAPTURE, AFTER_LABEL, INSIDE_WINDOW, CancelPoint, order_at
from starter.scenarios.checks import expect
from starter.scenarios.context import Context
from starter.scenarios.kit import ScenarioOrder


async def cancelled_at(ctx: Context, scenario: str, point: CancelPoint) -> ScenarioOrder:
    """Cancel at `point` for the customer: the answer must be ACCEPTED, and the order must end CANCELLED
    with everything `point` asks undone."""
    run = await order_at(ctx, scenario, point)
    outcome = await run.cancel(run.request(by=point.by))
    expect(outcome.outcome is Verdict.ACCEPTED, f"outcome {outcome.outcome} {outcome.reason_code}, expected ACCEPTED")
    order = await run.until_status(OrderStatus.CANCELLED)
    await point.expect_cancelled(run, order, "CONFIRMATION", "CANCELLATION", reason=CancelReason.CUSTOMER)
    return run


async def cancel_inside_window(ctx: Context) -> str:
    await cancelled_at(ctx, "cancel_inside_window", INSIDE_WINDOW)
    return "hold voided, stock released"


async def cancel_after_capture(ctx: Context) -> str:
    # The label may or may not have been bought by the time the request was decided; either way none is left.
    run = await cancelled_at(ctx, "cancel_after_capture", AFTER_CAPTURE)
    return f"refunded {run.total}, stock released"


async def cancel_after_label(ctx: Context) -> str:
    run = await cancelled_at(ctx, "cancel_after_label", AFTER_LABEL)
    return f"label voided, refunded {run.total}"
