"""A step re-sent after its answer was lost does what was open when it was first sent: what lines
cancelled meanwhile no longer need is given back (money refunded, units released)."""

from hypothesis import given
from hypothesis import strategies as st

from domain import messages
from domain.cancellation import Step, surplus_money, surplus_units
from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.payment import PaymentState
from domain.requests import RefundDestination
from tests.unit.factories import (
    TOTAL,
    Stage,
    accepted,
    answer,
    at,
    cancel_lines,
    cancel_request,
    order_at,
    place_order,
)


def with_lines(quantities: list[int], stage: Stage) -> Order:
    command = place_order(len(quantities))
    lines = [line.model_copy(update={"quantity": q}) for line, q in zip(command.lines, quantities, strict=True)]
    return order_at(stage, command.model_copy(update={"lines": lines}))


def cancel_some(order: Order, taken: list[int]) -> None:
    selection = {line.sku: t for line, t in zip(order.lines, taken, strict=True) if t}
    if selection:
        request = cancel_lines("meanwhile", *selection.items())
        order.record_answer(request, accepted(request), selection, at(5))


order_and_cancellations = st.lists(st.integers(1, 5), min_size=1, max_size=4).flatmap(
    lambda quantities: st.tuples(
        st.just(quantities), st.tuples(*(st.integers(0, q) for q in quantities)).map(list)
    )
)


@given(order_and_cancellations)
def test_a_capture_taken_for_lines_cancelled_meanwhile_gives_back_exactly_their_share(case):
    quantities, taken = case
    order = with_lines(quantities, Stage.CONFIRMED)
    asked = order.capturable_minor  # the capture is sent, and its answer lost
    cancel_some(order, taken)
    if not order.anything_open:
        return  # a full cancellation voids instead: no capture is re-sent

    order.record_capture(asked, at(6))  # the re-sent capture answers for the first one
    give_back = order.overcaptured_minor
    if give_back:
        order.record_refund(give_back, at(7))

    assert give_back == sum(line.unit_price_minor * t for line, t in zip(order.lines, taken, strict=True))
    assert order.outstanding_minor == order.capturable_minor


@given(order_and_cancellations)
def test_units_reserved_for_lines_cancelled_meanwhile_are_exactly_the_ones_released(case):
    quantities, taken = case
    order = with_lines(quantities, Stage.AUTHORIZED)
    reserved = {line.sku: line.open_quantity for line in order.lines}  # the reservation sent, its answer lost
    cancel_some(order, taken)

    extra = order.beyond_open(reserved)

    assert extra == {line.sku: t for line, t in zip(order.lines, taken, strict=True) if t}
    assert {sku: q - extra.get(sku, 0) for sku, q in reserved.items()} == {line.sku: line.open_quantity for line in order.lines}


def test_nothing_is_given_back_when_the_capture_took_only_what_is_open():
    order = order_at(Stage.CAPTURED)

    assert order.overcaptured_minor == 0
    assert order.beyond_open({line.sku: line.open_quantity for line in order.lines}) == {}


def test_the_customer_is_told_the_charge_was_corrected_and_where_the_money_went():
    order = order_at(Stage.CAPTURED)

    told = messages.charge_correction(order, 1000, 250)

    assert told.kind is messages.MessageKind.CHARGE_CORRECTION and told.to == order.customer_email
    assert "charged you for items you had cancelled" in told.body
    assert "refunded 10.00 EUR to your original payment method and added 2.50 EUR to your store credit" in told.body


def test_a_void_that_finds_the_hold_captured_records_it_once_and_refunds_it_where_the_request_said():
    order = order_at(Stage.CONFIRMED)
    decision = answer(order, cancel_request(refund_to=RefundDestination.STORE_CREDIT))
    void = next(step for step in decision.compensations if step.step is Step.VOID_AUTHORIZATION)

    for _ in range(2):  # a retried void finds it again
        order.record_capture_found(TOTAL, at(31))
    refund = void.refund_instead(order)

    assert order.status is OrderStatus.CANCELLING and order.payment is PaymentState.CAPTURED
    assert order.captured_minor == TOTAL
    assert (refund.step, refund.amount_minor, refund.refund_to) == (Step.REFUND_PAYMENT, TOTAL, RefundDestination.STORE_CREDIT)


def test_a_cancellation_while_a_reservation_is_unconfirmed_releases_whatever_it_holds_once_the_order_goes():
    order = order_at(Stage.AUTHORIZED)
    order.record_stock(StockState.UNCONFIRMED, at(2))

    partial = answer(order, cancel_lines("one", ("sku-1", 1)))
    full = answer(order, cancel_request("all"))

    assert [step.step for step in partial.compensations] == []  # left to the reservation's answer
    assert [(step.step, step.lines) for step in full.compensations] == [
        (Step.VOID_AUTHORIZATION, None), (Step.RELEASE_STOCK, None)
    ]
    assert not order.settled


def test_a_cancellation_while_an_authorization_is_unconfirmed_releases_whatever_hold_it_finds():
    order = order_at(Stage.PLACED)
    order.record_payment(PaymentState.UNCONFIRMED, at(1), "the gateway's answer was lost")
    unsettled = not order.settled

    decision = answer(order, cancel_request())
    order.record_hold_found("pi_1", TOTAL, at(31))

    assert unsettled
    assert [step.step for step in decision.compensations] == [Step.VOID_AUTHORIZATION]
    assert order.status is OrderStatus.CANCELLING and order.holds_authorization
    assert (order.authorization_id, order.authorized_minor) == ("pi_1", TOTAL)


def test_the_surplus_of_a_lost_answer_is_the_cancelled_units_back_on_hand_and_their_money_back_to_the_card():
    order = order_at(Stage.CONFIRMED)
    reserved = {line.sku: line.open_quantity for line in order.lines}
    asked = order.capturable_minor
    request = cancel_lines("meanwhile", ("sku-1", 1), refund_to=RefundDestination.STORE_CREDIT, restock=False)
    order.record_answer(request, accepted(request), {"sku-1": 1}, at(5))
    order.record_capture(asked, at(6))

    units, money = surplus_units(order, reserved), surplus_money(order)

    assert units is not None and (units.step, units.lines, units.restock) == (Step.RELEASE_STOCK, (("sku-1", 1),), True)
    assert money is not None and (money.step, money.amount_minor, money.refund_to) == (
        Step.REFUND_PAYMENT, 1000, RefundDestination.ORIGINAL
    )
    assert surplus_units(order, {"sku-2": 1}) is None


def test_a_whole_cancellation_while_a_labels_answer_is_lost_voids_the_label_it_may_have_bought():
    order = order_at(Stage.CAPTURED)
    order.record_label_unconfirmed(2, at(40))

    decision = answer(order, cancel_request("whole", requested_by="customer_service"), at(41))

    assert [step.step for step in decision.compensations][0] is Step.VOID_LABEL
    assert not order.settled  # a label may be live until it is found and voided


def test_lines_cancelled_while_a_labels_answer_is_lost_leave_the_label_for_the_rest():
    order = order_at(Stage.CAPTURED)
    order.record_label_unconfirmed(2, at(40))

    decision = answer(order, cancel_lines("some", ("sku-1", 1), requested_by="customer_service"), at(41))

    assert Step.VOID_LABEL not in [step.step for step in decision.compensations]
