"""Cancelling some units of some lines: which lines may go, what money moves, and when it becomes whole."""

import pytest

from domain.cancellation import Compensation, InvalidLines, Step, check_request, decide
from domain.errors import InvariantViolation
from domain.lifecycle import OrderStatus
from domain.lines import LineStatus
from domain.order import Order
from domain.requests import ReasonCode, RefundDestination, Verdict
from tests.unit.factories import (
    IN_WINDOW,
    POLICY,
    Stage,
    accepted,
    advance,
    answer,
    at,
    cancel_lines,
    cancel_request,
    cancelled_at,
    carry_out,
    order_at,
    place_order,
)

# Three lines of 5 units at 10.00 each, and a 4.99 shipping fee.
PRICE, FEE = 1000, 499
THREE_LINES = place_order(lines=3, quantity=5, unit_price_minor=PRICE, shipping_fee_minor=FEE)
TOTAL = 3 * 5 * PRICE + FEE
BEFORE_CAPTURE = [Stage.PLACED, Stage.AUTHORIZED, Stage.RESERVED, Stage.CONFIRMED]
AFTER_CAPTURE = [Stage.CAPTURED, Stage.LABEL_BOUGHT]


def three_lines_at(stage: Stage) -> Order:
    return order_at(stage, THREE_LINES)


def steps(decision) -> list[Step]:
    return [c.step for c in decision.compensations]


# --- which lines a request may name -----------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "complaint"),
    [
        pytest.param((("sku-9", 1),), "line sku-9: order ord-1 has no such line", id="unknown sku"),
        pytest.param((("sku-1", 6),), "line sku-1: 6 to cancel but only 5 still open", id="more than ordered"),
        pytest.param((("sku-1", 1), ("sku-1", 1)), "line sku-1: named twice", id="named twice"),
    ],
)
def test_a_request_naming_a_wrong_line_is_refused_naming_that_line(lines, complaint):
    order = three_lines_at(Stage.CONFIRMED)

    with pytest.raises(InvalidLines) as refused:
        check_request(order, cancel_lines("req-1", *lines))

    assert str(refused.value) == complaint


def test_units_already_cancelled_cannot_be_cancelled_again():
    order = three_lines_at(Stage.CONFIRMED)
    answer(order, cancel_lines("req-1", ("sku-1", 4)))

    with pytest.raises(InvalidLines, match="line sku-1: 2 to cancel but only 1 still open"):
        check_request(order, cancel_lines("req-2", ("sku-1", 2)))


@pytest.mark.parametrize(
    ("stage", "code"),
    [(Stage.CONFIRMED, ReasonCode.ALREADY_CANCELLED), (Stage.DELIVERED, ReasonCode.ALREADY_DELIVERED)],
)
def test_lines_asked_of_an_order_that_has_ended_get_the_orders_answer_not_a_refusal_of_the_lines(stage, code):
    order = cancelled_at(stage) if stage is Stage.CONFIRMED else order_at(stage)
    request = cancel_lines("req-late", ("sku-1", 1))

    check_request(order, request)
    decision = decide(order, request, POLICY, IN_WINDOW)

    assert (decision.outcome.outcome, decision.outcome.reason_code) == (Verdict.REJECTED, code)
    assert decision.compensations == []


def test_a_wrong_line_that_gets_past_the_validator_is_rejected_with_nothing_to_undo():
    order = three_lines_at(Stage.CAPTURED)

    decision = decide(order, cancel_lines("req-1", ("sku-9", 1)), POLICY, IN_WINDOW)

    assert decision.outcome.outcome is Verdict.REJECTED
    assert decision.outcome.reason_code is ReasonCode.INVALID_LINES
    assert "line sku-9" in decision.outcome.message
    assert decision.compensations == [] and decision.selection == {}


def test_a_repeated_partial_request_passes_the_check_though_its_units_are_gone():
    order = three_lines_at(Stage.CONFIRMED)
    request = cancel_lines("req-1", ("sku-1", 5))
    first = answer(order, request)

    check_request(order, request)
    again = decide(order, request, POLICY, IN_WINDOW)

    assert again.repeated and again.outcome == first.outcome


# --- the order's lines ------------------------------------------------------------------


def test_each_line_tells_how_much_of_it_is_cancelled():
    order = three_lines_at(Stage.CONFIRMED)

    answer(order, cancel_lines("req-1", ("sku-1", 2), ("sku-2", 5)))

    assert [(line.sku, line.open_quantity, line.status) for line in order.lines] == [
        ("sku-1", 3, LineStatus.PARTIALLY_CANCELLED),
        ("sku-2", 0, LineStatus.CANCELLED),
        ("sku-3", 5, LineStatus.OPEN),
    ]
    assert order.partially_cancelled
    assert order.status is OrderStatus.CONFIRMED
    assert order.timeline[-1].event == "PARTIALLY_CANCELLED"


def test_an_order_cancelled_whole_is_not_partially_cancelled():
    fresh, whole = three_lines_at(Stage.CONFIRMED), three_lines_at(Stage.CONFIRMED)

    answer(whole, cancel_request("req-1"))

    assert whole.status is OrderStatus.CANCELLING
    assert not fresh.partially_cancelled
    assert not whole.partially_cancelled


def test_taking_off_more_than_is_open_is_refused_and_records_nothing():
    order = three_lines_at(Stage.CONFIRMED)
    request = cancel_lines("req-1", ("sku-1", 5))

    with pytest.raises(InvariantViolation, match="cannot cancel 6 x sku-1"):
        order.record_answer(request, accepted(request), {"sku-1": 6}, at(20))

    assert order.cancellation("req-1") is None
    assert [line.cancelled_quantity for line in order.lines] == [0, 0, 0]


def test_the_order_view_reads_back_its_lines_with_their_computed_fields():
    order = three_lines_at(Stage.CONFIRMED)
    answer(order, cancel_lines("req-1", ("sku-1", 2)))

    again = Order.model_validate(order.model_dump(mode="json"))

    assert again == order
    assert again.lines[0].status is LineStatus.PARTIALLY_CANCELLED


# --- before capture: no money moves -----------------------------------------------------


@pytest.mark.parametrize("stage", BEFORE_CAPTURE, ids=lambda stage: stage.value)
def test_a_partial_cancel_before_capture_moves_no_money(stage):
    order = three_lines_at(stage)

    decision = decide(order, cancel_lines("req-1", ("sku-1", 2)), POLICY, IN_WINDOW)

    assert decision.accepted and not decision.full
    assert decision.selection == {"sku-1": 2}
    assert Step.VOID_AUTHORIZATION not in steps(decision)
    assert Step.REFUND_PAYMENT not in steps(decision)
    assert decision.outcome.message == "Part of order ord-1 is being cancelled."


def test_a_partial_cancel_of_reserved_stock_releases_only_those_units():
    order = three_lines_at(Stage.CONFIRMED)

    decision = decide(order, cancel_lines("req-1", ("sku-2", 1), ("sku-1", 2), restock=False), POLICY, IN_WINDOW)

    assert decision.compensations == [
        Compensation(step=Step.RELEASE_STOCK, restock=False, lines=(("sku-1", 2), ("sku-2", 1)))
    ]


def test_capture_after_a_partial_cancel_takes_only_the_open_lines_and_the_fee():
    order = three_lines_at(Stage.CONFIRMED)
    carry_out(order, answer(order, cancel_lines("req-1", ("sku-1", 2), ("sku-3", 5))), at(20))

    advance(order, Stage.CAPTURED, after=Stage.CONFIRMED)

    assert order.capturable_minor == (3 + 5) * PRICE + FEE
    assert order.captured_minor == (3 + 5) * PRICE + FEE
    assert order.authorized_minor == TOTAL


@pytest.mark.parametrize("stage", [Stage.AUTHORIZED, Stage.CONFIRMED], ids=lambda stage: stage.value)
def test_the_hold_is_voided_only_when_nothing_remains(stage):
    order = three_lines_at(stage)
    first = answer(order, cancel_lines("req-1", ("sku-1", 5), ("sku-2", 5)))
    carry_out(order, first, at(20))

    last = answer(order, cancel_lines("req-2", ("sku-3", 5)))

    assert Step.VOID_AUTHORIZATION not in steps(first)
    assert last.full and Step.VOID_AUTHORIZATION in steps(last)
    assert order.status is OrderStatus.CANCELLING
    assert order.capturable_minor == 0


def test_naming_every_open_unit_is_a_full_cancellation():
    order = three_lines_at(Stage.CONFIRMED)
    request = cancel_lines("req-1", ("sku-1", 5), ("sku-2", 5), ("sku-3", 5), reason="STAFF")

    decision = answer(order, request)

    assert decision.full and decision.accepted
    assert decision.outcome.message == "Order ord-1 is being cancelled."
    whole = decide(three_lines_at(Stage.CONFIRMED), cancel_request(), POLICY, IN_WINDOW)
    assert decision.compensations == whole.compensations
    assert order.status is OrderStatus.CANCELLING
    assert order.cancellation_reason == "STAFF"
    assert all(line.status is LineStatus.CANCELLED for line in order.lines)


# --- after capture: refund the lines, the fee only with the last ------------------------


@pytest.mark.parametrize("stage", AFTER_CAPTURE, ids=lambda stage: stage.value)
@pytest.mark.parametrize("refund_to", list(RefundDestination), ids=lambda to: to.value)
def test_a_partial_cancel_after_capture_refunds_the_cancelled_units_without_the_fee(stage, refund_to):
    order = three_lines_at(stage)

    decision = decide(order, cancel_lines("req-1", ("sku-1", 3), refund_to=refund_to), POLICY, IN_WINDOW)

    assert decision.accepted and not decision.full
    assert decision.compensations == [
        Compensation(step=Step.REFUND_PAYMENT, amount_minor=3 * PRICE, refund_to=refund_to),
        Compensation(step=Step.RELEASE_STOCK, lines=(("sku-1", 3),)),
    ]


def test_a_partial_cancel_keeps_a_bought_label():
    order = three_lines_at(Stage.LABEL_BOUGHT)

    decision = decide(order, cancel_lines("req-1", ("sku-1", 1)), POLICY, IN_WINDOW)

    assert Step.VOID_LABEL not in steps(decision)


def test_the_last_cancel_refunds_what_is_outstanding_fee_included():
    order = three_lines_at(Stage.CAPTURED)
    carry_out(order, answer(order, cancel_lines("req-1", ("sku-1", 5))), at(20))

    last = answer(order, cancel_lines("req-2", ("sku-2", 5), ("sku-3", 5)))

    [refund] = [c for c in last.compensations if c.step is Step.REFUND_PAYMENT]
    assert last.full
    assert refund.amount_minor == order.outstanding_minor == 10 * PRICE + FEE


def test_partial_refunds_and_the_last_one_add_up_to_what_was_captured():
    order = three_lines_at(Stage.LABEL_BOUGHT)
    decisions = []
    for request in (
        cancel_lines("req-1", ("sku-1", 2)),
        cancel_lines("req-2", ("sku-1", 3), ("sku-2", 1), refund_to=RefundDestination.STORE_CREDIT),
        cancel_request("req-3"),
    ):
        decision = answer(order, request)
        carry_out(order, decision, at(20))
        decisions.append(decision)

    refunds = [c.amount_minor for d in decisions for c in d.compensations if c.step is Step.REFUND_PAYMENT]
    assert refunds == [2 * PRICE, 4 * PRICE, 9 * PRICE + FEE]
    assert sum(refunds) == order.captured_minor == order.refunded_minor == TOTAL
    assert order.store_credit_minor == 4 * PRICE
    assert order.status is OrderStatus.CANCELLED


def test_a_full_cancel_decided_while_a_partial_refund_is_queued_does_not_refund_that_part_again():
    order = three_lines_at(Stage.CAPTURED)
    partial = answer(order, cancel_lines("req-1", ("sku-1", 5)))
    full = answer(order, cancel_request("req-2"))

    carry_out(order, partial, at(20))
    carry_out(order, full, at(21))

    assert order.refunded_minor == order.captured_minor
