"""How each load path drives its order, and the one end state it must reach. Each driver is made of the
scenarios' pieces (cancel points, partial and review steps); the load checks the end state, the audit
checks every store."""

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.requests import CancelReason, ReviewDecision, Verdict
from domain.shipment import ShipmentEventType
from starter.load.mix import Path
from starter.scenarios.cancel_points import AFTER_CAPTURE, AFTER_LABEL, INSIDE_WINDOW, CancelPoint, order_at
from starter.scenarios.checks import expect
from starter.scenarios.context import Context
from starter.scenarios.kit import DECLINED_CARD, LONG_WINDOW, SHORT_WINDOW, ScenarioOrder
from starter.scenarios.partial import accepted_part
from starter.scenarios.pickup import recall_after_pickup
from starter.scenarios.review import pending_review

REVIEWER_NOTE = "load"
# A load's worker may be dead for a while: the free window must outlast that, or the customer's
# cancellation would go to review instead. Nobody waits for it: the order is cancelled inside it.
PATIENT_WINDOW = dataclasses.replace(INSIDE_WINDOW, window=timedelta(minutes=15))


@dataclass(frozen=True)
class Ending:
    """The end state a path must reach: a terminal status and, for a cancelled order, why."""

    status: OrderStatus
    reason: CancelReason | None = None

    def __str__(self) -> str:
        return f"{self.status} ({self.reason})" if self.reason else str(self.status)

    def met_by(self, order: Order) -> bool:
        return order.status is self.status and order.cancellation_reason == self.reason


def ending_of(order: Order) -> str:
    """How an order stands, in an Ending's words."""
    return str(Ending(order.status, order.cancellation_reason))


Drive = Callable[[Context], Awaitable[None]]


def name(path: Path) -> str:
    return f"load_{path.value}"


async def happy(ctx: Context) -> None:
    run = ScenarioOrder(ctx, name(Path.HAPPY), window=SHORT_WINDOW)
    await run.place()
    await run.deliver()


def cancel_at(path: Path, point: CancelPoint) -> Drive:
    async def drive(ctx: Context) -> None:
        run = await order_at(ctx, name(path), point)
        outcome = await run.cancel(run.request(by=point.by))
        expect(outcome.outcome is Verdict.ACCEPTED, f"cancel answered {outcome.outcome} {outcome.reason_code}")

    return drive


async def cancel_in_transit(ctx: Context) -> None:
    await recall_after_pickup(ScenarioOrder(ctx, name(Path.CANCEL_IN_TRANSIT), window=SHORT_WINDOW), ShipmentEventType.IN_TRANSIT)


async def partial(ctx: Context) -> None:
    run = await order_at(ctx, name(Path.PARTIAL), AFTER_CAPTURE)
    await accepted_part(run, B=1)
    await run.deliver()


async def review_approve(ctx: Context) -> None:
    run = await order_at(ctx, name(Path.REVIEW_APPROVE), AFTER_CAPTURE)
    await run.review(await pending_review(run), ReviewDecision.APPROVE, REVIEWER_NOTE)


async def review_deny(ctx: Context) -> None:
    run = await order_at(ctx, name(Path.REVIEW_DENY), AFTER_CAPTURE)
    await run.review(await pending_review(run), ReviewDecision.DENY, REVIEWER_NOTE)
    # A label bought while the review was open was held back from the carrier: it goes once released.
    await run.until(lambda o: o.shipment is not None and o.shipment.held_for is None, "a label free to go")
    await run.deliver()


async def declined(ctx: Context) -> None:
    await ScenarioOrder(ctx, name(Path.DECLINED), window=LONG_WINDOW, card=DECLINED_CARD).place()


async def out_of_stock(ctx: Context) -> None:
    await ScenarioOrder(ctx, name(Path.OUT_OF_STOCK), window=LONG_WINDOW, stock={"B": 0}).place()


COMPLETED = Ending(OrderStatus.COMPLETED)
CANCELLED = Ending(OrderStatus.CANCELLED, CancelReason.CUSTOMER)

PATHS: dict[Path, tuple[Drive, Ending]] = {
    Path.HAPPY: (happy, COMPLETED),
    Path.CANCEL_WINDOW: (cancel_at(Path.CANCEL_WINDOW, PATIENT_WINDOW), CANCELLED),
    Path.CANCEL_CAPTURED: (cancel_at(Path.CANCEL_CAPTURED, AFTER_CAPTURE), CANCELLED),
    Path.CANCEL_LABELLED: (cancel_at(Path.CANCEL_LABELLED, AFTER_LABEL), CANCELLED),
    Path.CANCEL_IN_TRANSIT: (cancel_in_transit, CANCELLED),
    Path.PARTIAL: (partial, COMPLETED),
    Path.REVIEW_APPROVE: (review_approve, CANCELLED),
    Path.REVIEW_DENY: (review_deny, COMPLETED),
    Path.DECLINED: (declined, Ending(OrderStatus.CANCELLED, CancelReason.DECLINED)),
    Path.OUT_OF_STOCK: (out_of_stock, Ending(OrderStatus.CANCELLED, CancelReason.INVENTORY)),
}
