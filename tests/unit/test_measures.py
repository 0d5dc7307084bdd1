"""What the business counts about an order, read from its facts: each answer once, money back by destination."""

from domain.lifecycle import OrderStatus
from domain.measures import Destination, Reading, compensation_time, stage_reached
from domain.requests import CancelReason, Verdict
from tests.unit.factories import Stage, at, cancelled_at, order_at


def test_an_order_cancelled_after_confirmation_reads_one_accepted_answer_at_that_stage() -> None:
    order = cancelled_at(Stage.CONFIRMED)

    answers = Reading.of(order).new_answers(Reading.nothing())

    assert [(a.reason, a.outcome, a.stage) for a in answers] == [
        (CancelReason.CUSTOMER, Verdict.ACCEPTED, OrderStatus.CONFIRMED)
    ]


def test_an_answer_already_counted_is_not_new_again() -> None:
    order = cancelled_at(Stage.CONFIRMED)
    first = Reading.of(order)

    assert Reading.of(order).new_answers(first) == []


def test_the_stage_looks_through_cancelling_to_the_last_forward_status() -> None:
    assert stage_reached(cancelled_at(Stage.CONFIRMED)) is OrderStatus.CONFIRMED
    assert stage_reached(order_at(Stage.PLACED)) is OrderStatus.PLACED


def test_compensation_time_runs_from_cancelling_to_cancelled_and_only_for_a_cancelled_order() -> None:
    order = cancelled_at(Stage.CONFIRMED)
    cancelling = next(e.at for e in order.timeline if e.event == "CANCELLING")
    cancelled = next(e.at for e in order.timeline if e.event == "CANCELLED")

    assert compensation_time(order) == cancelled - cancelling
    assert compensation_time(order_at(Stage.CONFIRMED)) is None


def test_money_back_since_counts_card_refunds_and_store_credit_apart() -> None:
    order = order_at(Stage.CAPTURED)
    before = Reading.of(order)
    order.record_refund(500, at(100))
    order.record_store_credit(200, at(101), "card refused the refund")

    moved = Reading.of(order).money_back_since(before)

    assert moved == {Destination.CARD: 500, Destination.STORE_CREDIT: 200}


def test_nothing_moved_means_no_money_back_entry() -> None:
    order = order_at(Stage.CAPTURED)

    assert Reading.of(order).money_back_since(Reading.of(order)) == {}
