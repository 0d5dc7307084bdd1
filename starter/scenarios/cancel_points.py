"""The points before the parcel leaves at which scenarios cancel: how an order gets there, who may cancel
there without review, and what cancelling there must leave behind."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.requests import RequestedBy
from starter.scenarios.context import Context
from starter.scenarios.endings import expect_refunded, expect_voided
from starter.scenarios.kit import AFTER_WINDOW, LONG_WINDOW, SHORT_WINDOW, ScenarioOrder


@dataclass(frozen=True)
class CancelPoint:
    window: timedelta  # the order's free-cancellation window
    reached: Callable[[ScenarioOrder], Awaitable[Order]]  # waits until the order is there
    by: RequestedBy  # who may cancel there without review
    expect_cancelled: Callable[..., Awaitable[list[dict[str, Any]]]]  # an ending from starter.scenarios.endings


INSIDE_WINDOW = CancelPoint(
    LONG_WINDOW, lambda run: run.until_status(OrderStatus.CONFIRMED), RequestedBy.CUSTOMER, expect_voided
)
AFTER_CAPTURE = CancelPoint(SHORT_WINDOW, ScenarioOrder.until_captured, AFTER_WINDOW, expect_refunded)
AFTER_LABEL = CancelPoint(SHORT_WINDOW, ScenarioOrder.until_labelled, AFTER_WINDOW, expect_refunded)


async def order_at(ctx: Context, scenario: str, point: CancelPoint, **options: Any) -> ScenarioOrder:
    """The scenario's order (`options` as ScenarioOrder takes them), placed and brought to `point`."""
    run = ScenarioOrder(ctx, scenario, window=point.window, **options)
    await run.place()
    await point.reached(run)
    return run
