"""Small builders for the unit tests: orders placed and advanced to a stage with fixed times.

Each stage is reached the way the workflow reaches it, through the Order's record_* methods
(completion has no fact to record, so it is a plain move). Confirmation opens the free
window: it closes at WINDOW_CLOSES, so IN_WINDOW and AFTER_WINDOW are the two sides of it.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from domain.cancellation import Decision, Step, decide, selection_of
from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.placement import Address, OrderLine, PlaceOrder
from domain.policy import Policy
from domain.requests import (
    CancellationOutcome,
    CancellationRequest,
    CancelReason,
    LineSelection,
    RefundDestination,
    Verdict,
)
from domain.shipment import Shipment, ShipmentEvent, ShipmentEventType

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
POLICY = Policy()


def at(minutes: int) -> datetime:
    """A fixed instant, `minutes` after T0."""
    return T0 + timedelta(minutes=minutes)


def place_order(
    lines: int = 2,
    *,
    order_id: str = "ord-1",
    unit_price_minor: int = 1000,
    quantity: int = 1,
    shipping_fee_minor: int = 499,
    currency: str = "EUR",
) -> PlaceOrder:
    """A valid PlaceOrder with `lines` lines (sku-1, sku-2, ...) of the same quantity and price."""
    return PlaceOrder(
        order_id=order_id,
        customer_id="cus-1",
        customer_email="ada@example.com",
        lines=[
            OrderLine(sku=f"sku-{n}", quantity=quantity, unit_price_minor=unit_price_minor)
            for n in range(1, lines + 1)
        ],
        shipping_address=Address(name="Ada", line1="1 Main St", city="Lyon", postal_code="69001", country="FR"),
        shipping_fee_minor=shipping_fee_minor,
        currency=currency,
        payment_method="pm_card_visa",
    )


# What place_order() charges by default: two lines of 10.00 and a 4.99 shipping fee.
TOTAL = 2 * 1000 + 499


def place_order_data(**overrides: object) -> dict[str, object]:
    """The raw input of a valid PlaceOrder, to break one field at a time."""
    data = place_order().model_dump(mode="json")
    data.update(overrides)
    return data


class Stage(StrEnum):
    """How far an order got, in lifecycle order."""

    PLACED = "placed"
    AUTHORIZED = "authorized"
    RESERVED = "reserved"
    CONFIRMED = "confirmed"
    CAPTURED = "captured"
    LABEL_BOUGHT = "label_bought"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    COMPLETED = "completed"


STAGES = list(Stage)


def _authorize(order: Order, when: datetime) -> None:
    order.record_authorization("auth-1", order.total_minor, when)


def _reserve(order: Order, when: datetime) -> None:
    order.record_stock(StockState.RESERVED, when)


def _confirm(order: Order, when: datetime) -> None:
    order.record_confirmed(when + POLICY.free_cancellation_window, when)


def _capture(order: Order, when: datetime) -> None:
    order.record_capture(order.capturable_minor, when)


def _buy_label(order: Order, when: datetime) -> None:
    order.record_label(Shipment(shipment_id="shp-1", tracking_number="1Z999AA10123456784"), when)


def _pick_up(order: Order, when: datetime) -> None:
    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.PICKED_UP), when)
    order.record_stock(StockState.SHIPPED, when)


def _deliver(order: Order, when: datetime) -> None:
    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.DELIVERED), when)


def _complete(order: Order, when: datetime) -> None:
    order.move(OrderStatus.COMPLETED, when)


STEPS: dict[Stage, Callable[[Order, datetime], None]] = {
    Stage.AUTHORIZED: _authorize,
    Stage.RESERVED: _reserve,
    Stage.CONFIRMED: _confirm,
    Stage.CAPTURED: _capture,
    Stage.LABEL_BOUGHT: _buy_label,
    Stage.PICKED_UP: _pick_up,
    Stage.DELIVERED: _deliver,
    Stage.COMPLETED: _complete,
}


def advance(order: Order, to: Stage, *, after: Stage = Stage.PLACED) -> Order:
    """Apply every forward step after stage `after` (where the order is) up to and including `to`.
    Step n happens at minute n, whatever stage the order started from."""
    for stage in STAGES[STAGES.index(after) + 1 : STAGES.index(to) + 1]:
        STEPS[stage](order, at(STAGES.index(stage)))
    return order


# Confirmation happens at minute 3 (see advance), so the free window closes at minute 33.
WINDOW_CLOSES = at(3) + POLICY.free_cancellation_window
IN_WINDOW = at(10)
AFTER_WINDOW = at(60)


def order_at(stage: Stage = Stage.PLACED, command: PlaceOrder | None = None) -> Order:
    """A fresh order advanced to `stage`."""
    return advance(Order.placed(command or place_order(), at(0)), stage)


def cancel_request(request_id: str = "req-1", **overrides: object) -> CancellationRequest:
    fields: dict[str, object] = {"request_id": request_id, "reason": CancelReason.CUSTOMER}
    fields.update(overrides)
    return CancellationRequest.model_validate(fields)


def cancel_lines(request_id: str, *lines: tuple[str, int], **overrides: object) -> CancellationRequest:
    """A partial cancellation of `quantity` units of each `(sku, quantity)`."""
    selections = tuple(LineSelection(sku=sku, quantity=quantity) for sku, quantity in lines)
    return cancel_request(request_id, lines=selections, **overrides)


def answer(order: Order, request: CancellationRequest, now: datetime = IN_WINDOW, policy: Policy = POLICY) -> Decision:
    """Decide a request and record its answer, as the workflow does; the compensations are not run."""
    decision = decide(order, request, policy, now)
    if not decision.repeated:
        order.record_answer(request, decision.outcome, decision.selection, now, decision.superseded)
    return decision


def carry_out(order: Order, decision: Decision, when: datetime) -> None:
    """Run a decision's compensations against the order as workflows.compensation does, every
    third party agreeing at once; a full acceptance then ends CANCELLED."""
    for step in (compensation.fixed(order) for compensation in decision.compensations):
        if step.step is Step.REFUND_PAYMENT and step.amount_minor == 0:
            continue
        if step.step is Step.VOID_LABEL:
            order.record_label_void(when)
        elif step.step is Step.REQUEST_INTERCEPT:
            order.record_intercept_requested(when)
        elif step.step is Step.RESTOCK_RETURNED:
            order.record_stock(StockState.RETURNED if step.restock else StockState.QUARANTINED, when)
        elif step.step is Step.VOID_AUTHORIZATION:
            order.record_void(when)
        elif step.step is Step.RELEASE_STOCK and step.lines is None:
            order.record_stock(StockState.RELEASED if step.restock else StockState.QUARANTINED, when)
        elif step.step is Step.RELEASE_STOCK:
            order.note(when, "STOCK_PARTLY_RELEASED")
        elif step.refund_to is RefundDestination.STORE_CREDIT:
            order.record_store_credit(step.amount_minor, when, "store credit")
        else:
            order.record_refund_started(step.amount_minor, when, "refund")
            order.record_refund_settled(step.amount_minor, True, when, "refund")
    if decision.full and decision.accepted:
        order.record_cancelled(when)


def accepted(request: CancellationRequest) -> CancellationOutcome:
    return CancellationOutcome(request_id=request.request_id, outcome=Verdict.ACCEPTED, message="cancelling")


def cancelling_at(stage: Stage, request: CancellationRequest | None = None) -> Order:
    """An order advanced to `stage` whose cancellation was just accepted, nothing undone yet."""
    request = request or cancel_request("req-0")
    order = order_at(stage)
    order.record_answer(request, accepted(request), selection_of(order, request), at(30))
    return order


def cancelled_at(stage: Stage) -> Order:
    """An order cancelled at `stage`, everything that had happened undone by hand."""
    order = cancelling_at(stage)
    if order.has_live_label:
        order.record_label_void(at(31))
    if order.outstanding_minor:
        order.record_refund(order.outstanding_minor, at(32))
    elif order.holds_authorization:
        order.record_void(at(32))
    if order.stock is StockState.RESERVED:
        order.record_stock(StockState.RELEASED, at(33))
    order.record_cancelled(at(34))
    return order
