"""The order: its input is validated, and its records refuse what would break a rule."""

import pytest
from pydantic import ValidationError

from domain.errors import InvalidTransition, InvariantViolation
from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.placement import PlaceOrder
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.unit.factories import (
    Stage,
    accepted,
    at,
    cancel_request,
    cancelling_at,
    order_at,
    place_order,
    place_order_data,
)

LINE = {"sku": "sku-1", "quantity": 1, "unit_price_minor": 1000}


# --- PlaceOrder -------------------------------------------------------------------------


def test_total_is_the_lines_plus_the_shipping_fee():
    command = place_order(lines=3, quantity=2, unit_price_minor=1250, shipping_fee_minor=499)

    total = command.total_minor

    assert total == 3 * 2 * 1250 + 499


def test_a_placed_order_starts_placed_with_the_commands_total():
    command = place_order(lines=2, unit_price_minor=1000, shipping_fee_minor=499)

    order = Order.placed(command, at(0))

    assert order.status is OrderStatus.PLACED
    assert order.total_minor == 2499
    assert [entry.event for entry in order.timeline] == ["PLACED"]


@pytest.mark.parametrize(("currency", "told"), [("EUR", "24.99 EUR"), ("JPY", "2499 JPY"), ("KWD", "2.499 KWD")])
def test_the_timeline_tells_amounts_in_the_currencys_own_minor_unit(currency: str, told: str):
    order = Order.placed(place_order(lines=2, unit_price_minor=1000, shipping_fee_minor=499, currency=currency), at(0))

    order.record_authorization("pi_1", order.total_minor, at(1))

    assert order.timeline[0].detail == f"2 line(s), total {told}"
    assert order.timeline[-1].detail == f"{told} held"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param({"currency": "eur"}, "currency", "not an ISO 4217 currency", id="lowercase currency"),
        pytest.param({"currency": "EURO"}, "currency", "not an ISO 4217 currency", id="four-letter currency"),
        pytest.param({"currency": "XYZ"}, "currency", "not an ISO 4217 currency in circulation", id="no such currency"),
        pytest.param({"currency": "XTS"}, "currency", "not an ISO 4217 currency in circulation", id="ISO's test code"),
        pytest.param({"currency": "HRK"}, "currency", "not an ISO 4217 currency in circulation", id="withdrawn kuna"),
        pytest.param(
            {"lines": [LINE, {**LINE, "quantity": 2}]},
            "lines",
            "each sku may appear on one line only",
            id="duplicate sku",
        ),
        pytest.param({"lines": [{**LINE, "quantity": 0}]}, "quantity", "greater than 0", id="zero quantity"),
        pytest.param(
            {"lines": [{**LINE, "unit_price_minor": -1}]},
            "unit_price_minor",
            "greater than or equal to 0",
            id="negative price",
        ),
        pytest.param({"lines": []}, "lines", "at least 1 item", id="empty lines"),
        pytest.param({"order_id": "has space"}, "order_id", "should match pattern", id="order_id with a space"),
        pytest.param({"order_id": ""}, "order_id", "should match pattern", id="empty order_id"),
        pytest.param({"order_id": "-dash"}, "order_id", "should match pattern", id="order_id with a leading dash"),
        pytest.param({"shipping_fee_minor": -1}, "shipping_fee_minor", "greater than or equal to 0", id="negative fee"),
        pytest.param({"coupon": "FREE"}, "coupon", "Extra inputs are not permitted", id="unknown field"),
    ],
)
def test_place_order_rejects_bad_input_with_a_message(overrides, field, message):
    data = place_order_data(**overrides)

    with pytest.raises(ValidationError) as raised:
        PlaceOrder.model_validate(data)

    [error] = raised.value.errors()
    assert error["loc"][0] == field or error["loc"][-1] == field
    assert message in str(raised.value)


# --- money records ----------------------------------------------------------------------


def test_a_capture_beyond_the_authorization_is_refused():
    order = order_at(Stage.CONFIRMED)

    with pytest.raises(InvariantViolation, match="exceeds the authorization"):
        order.record_capture(order.authorized_minor + 1, at(10))

    assert order.captured_minor == 0
    assert order.status is OrderStatus.CONFIRMED


def test_a_refund_beyond_what_is_captured_is_refused():
    order = order_at(Stage.CAPTURED)

    with pytest.raises(InvariantViolation, match="not within"):
        order.record_refund(order.captured_minor + 1, at(10))

    assert order.refunded_minor == 0


def test_partial_refunds_may_not_add_up_to_more_than_was_captured():
    order = order_at(Stage.CAPTURED)
    order.record_refund(order.captured_minor - 100, at(10))

    with pytest.raises(InvariantViolation):
        order.record_refund(101, at(11))

    order.record_refund(100, at(12))
    assert order.refunded_minor == order.captured_minor
    assert order.outstanding_minor == 0


def test_a_refund_is_pending_until_it_settles_and_pending_money_is_not_outstanding():
    order = order_at(Stage.CAPTURED)

    order.record_refund_started(1000, at(10), "refund re-1")
    pending = (order.refund_pending_minor, order.refunded_minor, order.outstanding_minor)
    order.record_refund_settled(1000, True, at(11), "refund re-1 succeeded")

    assert pending == (1000, 0, order.captured_minor - 1000)
    assert (order.refund_pending_minor, order.refunded_minor) == (0, 1000)
    assert order.outstanding_minor == order.captured_minor - 1000
    assert [entry.event for entry in order.timeline[-2:]] == ["REFUND_PENDING", "REFUNDED"]


def test_a_failed_refund_is_outstanding_again():
    order = order_at(Stage.CAPTURED)
    order.record_refund_started(1000, at(10), "refund re-1")

    order.record_refund_settled(1000, False, at(11), "refund re-1 failed: expired_or_canceled_card")

    assert (order.refund_pending_minor, order.refunded_minor) == (0, 0)
    assert order.outstanding_minor == order.captured_minor
    assert order.timeline[-1].event == "REFUND_FAILED"


def test_a_refund_may_not_be_started_for_money_already_on_its_way_back():
    order = order_at(Stage.CAPTURED)
    order.record_refund_started(order.captured_minor, at(10), "refund re-1")

    with pytest.raises(InvariantViolation, match="not within"):
        order.record_refund_started(1, at(11), "refund re-2")


def test_a_refund_that_was_never_started_cannot_settle():
    order = order_at(Stage.CAPTURED)
    order.record_refund_started(500, at(10), "refund re-1")

    with pytest.raises(InvariantViolation, match="never started"):
        order.record_refund_settled(501, True, at(11), "refund re-1")

    assert order.refund_pending_minor == 500


def test_store_credit_counts_as_refunded_and_is_kept_apart():
    order = order_at(Stage.CAPTURED)

    order.record_store_credit(700, at(10), "store credit sc-1")

    assert (order.refunded_minor, order.store_credit_minor, order.refund_pending_minor) == (700, 700, 0)
    assert order.outstanding_minor == order.captured_minor - 700


def test_store_credit_beyond_what_is_captured_is_refused():
    order = order_at(Stage.CAPTURED)

    with pytest.raises(InvariantViolation):
        order.record_store_credit(order.captured_minor + 1, at(10), "store credit sc-1")

    assert order.store_credit_minor == 0


def test_a_refund_before_capture_is_refused():
    order = order_at(Stage.CONFIRMED)

    with pytest.raises(InvariantViolation):
        order.record_refund(1, at(10))


@pytest.mark.parametrize("amount", [0, -5], ids=["zero", "negative"])
def test_a_refund_of_nothing_is_refused(amount):
    order = order_at(Stage.CAPTURED)

    with pytest.raises(InvariantViolation):
        order.record_refund(amount, at(10))


def test_a_capture_refused_for_its_transition_leaves_the_money_unchanged():
    order = order_at(Stage.AUTHORIZED)

    with pytest.raises(InvalidTransition):
        order.record_capture(order.authorized_minor, at(10))

    assert order.captured_minor == 0
    assert order.status is OrderStatus.PAYMENT_AUTHORIZED


def test_a_second_authorization_after_capture_is_refused_and_changes_nothing():
    order = order_at(Stage.CAPTURED)
    captured = order.captured_minor

    with pytest.raises(InvalidTransition):
        order.record_authorization("auth-2", 1, at(10))

    assert order.authorization_id == "auth-1"
    assert order.authorized_minor >= captured


def test_an_authorization_is_held_until_voided_or_captured():
    authorized = order_at(Stage.AUTHORIZED)
    captured = order_at(Stage.CAPTURED)
    voided = order_at(Stage.AUTHORIZED)

    voided.record_void(at(10))

    assert authorized.holds_authorization
    assert not captured.holds_authorization
    assert not voided.holds_authorization


# --- cancelled only when settled --------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "still_held"),
    [
        (Stage.AUTHORIZED, "an authorization hold"),
        (Stage.RESERVED, "a hold and reserved stock"),
        (Stage.CAPTURED, "captured money and reserved stock"),
        (Stage.LABEL_BOUGHT, "captured money, reserved stock and a live label"),
    ],
)
def test_an_order_cannot_be_cancelled_while_money_or_goods_are_held(stage, still_held):
    order = cancelling_at(stage)

    with pytest.raises(InvariantViolation, match="still held"):
        order.record_cancelled(at(40))

    assert order.status is OrderStatus.CANCELLING


@pytest.mark.parametrize(
    "undo",
    ["label", "refund", "stock"],
    ids=["label still live", "money still captured", "stock still reserved"],
)
def test_one_missing_compensation_is_enough_to_refuse_cancelled(undo):
    order = cancelling_at(Stage.LABEL_BOUGHT)
    if undo != "label":
        order.record_label_void(at(31))
    if undo != "refund":
        order.record_refund(order.outstanding_minor, at(32))
    if undo != "stock":
        order.record_stock(StockState.RELEASED, at(33))

    with pytest.raises(InvariantViolation):
        order.record_cancelled(at(40))


def test_a_settled_order_is_cancelled():
    order = cancelling_at(Stage.LABEL_BOUGHT)
    order.record_label_void(at(31))
    order.record_refund(order.outstanding_minor, at(32))
    order.record_stock(StockState.QUARANTINED, at(33))

    order.record_cancelled(at(40))

    assert order.status is OrderStatus.CANCELLED
    assert order.outstanding_minor == 0


def test_an_order_cannot_be_cancelled_while_a_refund_is_still_pending():
    order = cancelling_at(Stage.CAPTURED)
    order.record_stock(StockState.RELEASED, at(31))
    order.record_refund_started(order.outstanding_minor, at(32), "refund re-1")
    nothing_outstanding = order.outstanding_minor == 0

    with pytest.raises(InvariantViolation, match="still held"):
        order.record_cancelled(at(40))

    assert nothing_outstanding
    assert not order.settled


def test_an_order_placed_and_never_paid_cancels_at_once():
    order = cancelling_at(Stage.PLACED)

    order.record_cancelled(at(40))

    assert order.status is OrderStatus.CANCELLED


# --- lifecycle --------------------------------------------------------------------------


# From each stage, moves the lifecycle does not allow: skipping ahead, going back, cancelling too late.
REFUSED_MOVES = {
    Stage.PLACED: [OrderStatus.CONFIRMED, OrderStatus.FULFILLING, OrderStatus.CANCELLED],
    Stage.AUTHORIZED: [OrderStatus.FULFILLING],
    Stage.CONFIRMED: [OrderStatus.SHIPPED, OrderStatus.PLACED],
    Stage.CAPTURED: [OrderStatus.DELIVERED],
    Stage.DELIVERED: [OrderStatus.CANCELLING],
    Stage.COMPLETED: [OrderStatus.CANCELLING],
}


@pytest.mark.parametrize(
    ("stage", "to"),
    [(stage, to) for stage, refused in REFUSED_MOVES.items() for to in refused],
    ids=lambda value: value.value if isinstance(value, Stage) else f"to {value.value}",
)
def test_an_invalid_transition_is_refused(stage, to):
    order = order_at(stage)
    before = order.status

    with pytest.raises(InvalidTransition, match=f"cannot go from {before} to {to}"):
        order.move(to, at(20))

    assert order.status is before


@pytest.mark.parametrize("to", list(OrderStatus), ids=lambda to: f"to {to.value}")
def test_a_cancelled_order_goes_nowhere(to):
    order = cancelling_at(Stage.PLACED)
    order.record_cancelled(at(40))

    with pytest.raises(InvalidTransition):
        order.move(to, at(41))


def test_the_stages_follow_the_lifecycle():
    statuses = {stage: order_at(stage).status for stage in Stage}

    assert statuses == {
        Stage.PLACED: OrderStatus.PLACED,
        Stage.AUTHORIZED: OrderStatus.PAYMENT_AUTHORIZED,
        Stage.RESERVED: OrderStatus.PAYMENT_AUTHORIZED,
        Stage.CONFIRMED: OrderStatus.CONFIRMED,
        Stage.CAPTURED: OrderStatus.FULFILLING,
        Stage.LABEL_BOUGHT: OrderStatus.FULFILLING,
        Stage.PICKED_UP: OrderStatus.SHIPPED,
        Stage.DELIVERED: OrderStatus.DELIVERED,
        Stage.COMPLETED: OrderStatus.COMPLETED,
    }


# --- shipment events --------------------------------------------------------------------


def test_a_pickup_scan_ships_a_fulfilling_order():
    order = order_at(Stage.LABEL_BOUGHT)

    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.PICKED_UP), at(20))

    assert order.status is OrderStatus.SHIPPED
    assert order.shipment.last_event is ShipmentEventType.PICKED_UP


def test_a_delivery_scan_delivers_a_shipped_order():
    order = order_at(Stage.PICKED_UP)

    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.DELIVERED), at(20))

    assert order.status is OrderStatus.DELIVERED


def test_an_in_transit_scan_is_noted_without_a_move():
    order = order_at(Stage.PICKED_UP)

    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.IN_TRANSIT), at(20))

    assert order.status is OrderStatus.SHIPPED
    assert order.timeline[-1].event == "IN_TRANSIT"


def test_a_delivery_scan_without_a_pickup_passes_through_shipped():
    order = order_at(Stage.LABEL_BOUGHT)

    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.DELIVERED), at(20))

    assert order.status is OrderStatus.DELIVERED
    assert [entry.event for entry in order.timeline[-2:]] == ["SHIPPED", "DELIVERED"]


def scan(kind: ShipmentEventType) -> ShipmentEvent:
    return ShipmentEvent(type=kind)


def test_a_scan_before_any_label_is_ignored_and_noted():
    order = order_at(Stage.CAPTURED)

    applied = order.record_shipment_event(scan(ShipmentEventType.PICKED_UP), at(20))

    assert applied is False
    assert order.status is OrderStatus.FULFILLING
    assert order.timeline[-1].event == "SHIPMENT_EVENT_IGNORED"


@pytest.mark.parametrize(
    ("stage", "kind"),
    [
        (Stage.PICKED_UP, ShipmentEventType.PICKED_UP),
        (Stage.DELIVERED, ShipmentEventType.DELIVERED),
        (Stage.DELIVERED, ShipmentEventType.IN_TRANSIT),
        (Stage.LABEL_BOUGHT, ShipmentEventType.IN_TRANSIT),
        (Stage.LABEL_BOUGHT, ShipmentEventType.RETURNED_TO_SENDER),
        (Stage.COMPLETED, ShipmentEventType.DELIVERED),
    ],
    ids=lambda value: value.value,
)
def test_an_event_that_no_longer_applies_is_ignored_and_noted(stage, kind):
    order = order_at(stage)
    before = (order.status, order.shipment.last_event)

    applied = order.record_shipment_event(scan(kind), at(20))

    assert applied is False
    assert (order.status, order.shipment.last_event) == before
    assert order.timeline[-1].event == "SHIPMENT_EVENT_IGNORED"


def test_a_webhook_delivered_twice_is_applied_once():
    order = order_at(Stage.PICKED_UP)

    first = order.record_shipment_event(scan(ShipmentEventType.DELIVERED), at(20))
    second = order.record_shipment_event(scan(ShipmentEventType.DELIVERED), at(21))

    assert (first, second) == (True, False)
    assert [entry.event for entry in order.timeline].count("DELIVERED") == 1


def test_a_scan_after_the_order_was_cancelled_is_ignored():
    order = cancelling_at(Stage.LABEL_BOUGHT)

    applied = order.record_shipment_event(scan(ShipmentEventType.PICKED_UP), at(40))

    assert applied is False
    assert order.status is OrderStatus.CANCELLING


@pytest.mark.parametrize(
    "kind",
    [
        ShipmentEventType.OUT_FOR_DELIVERY,
        ShipmentEventType.INTERCEPTED,
        ShipmentEventType.INTERCEPT_FAILED,
        ShipmentEventType.RETURNED_TO_SENDER,
    ],
    ids=lambda kind: kind.value,
)
def test_a_scan_of_a_shipped_parcel_is_noted_without_a_move(kind):
    order = order_at(Stage.PICKED_UP)

    applied = order.record_shipment_event(scan(kind), at(20))

    assert applied is True
    assert order.status is OrderStatus.SHIPPED
    assert order.shipment.last_event is kind
    assert order.timeline[-1].event == kind.value


def test_only_a_return_to_sender_marks_the_parcel_returned():
    intercepted, returned = order_at(Stage.PICKED_UP), order_at(Stage.PICKED_UP)

    intercepted.record_shipment_event(scan(ShipmentEventType.INTERCEPTED), at(20))
    returned.record_shipment_event(scan(ShipmentEventType.RETURNED_TO_SENDER), at(20))

    assert intercepted.shipment.returned is False
    assert returned.shipment.returned is True


def test_a_label_is_live_until_the_first_scan():
    order = order_at(Stage.LABEL_BOUGHT)
    live_before = order.has_live_label

    order.record_shipment_event(scan(ShipmentEventType.PICKED_UP), at(20))

    assert live_before is True
    assert order.has_live_label is False


def test_a_voided_label_is_not_live():
    order = order_at(Stage.LABEL_BOUGHT)

    order.record_label_void(at(20))

    assert order.has_live_label is False


def test_an_acceptance_refused_for_its_transition_records_no_answer():
    order = order_at(Stage.DELIVERED)
    request = cancel_request("req-late")

    with pytest.raises(InvalidTransition):
        order.record_answer(request, accepted(request), {"sku-1": 1, "sku-2": 1}, at(20))

    assert order.cancellation("req-late") is None
    assert order.cancellation_reason is None
    assert order.status is OrderStatus.DELIVERED
    assert [line.cancelled_quantity for line in order.lines] == [0, 0]
