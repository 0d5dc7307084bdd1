"""NEEDS_ATTENTION: what a person must do, the lifecycle seen through it, and the ways out."""

import pytest

from domain.cancellation import Step, decide
from domain.errors import InvalidTransition
from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.requests import ReasonCode, RefundDestination, ResolutionAction, Verdict
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.unit.factories import (
    IN_WINDOW,
    POLICY,
    TOTAL,
    Stage,
    answer,
    at,
    cancel_lines,
    cancel_request,
    cancelled_at,
    cancelling_at,
    carry_out,
    order_at,
)

RETRY, RESOLVED = ResolutionAction.RETRY, ResolutionAction.MARK_RESOLVED
TO_CREDIT = ResolutionAction.REFUND_TO_STORE_CREDIT


def stuck(order: Order, step: str = "CREATE_SHIPMENT", request_id: str | None = None) -> Order:
    order.record_attention(f"{step.lower()} failed: carrier down", step, [RETRY], at(40), request_id)
    return order


def test_an_order_that_needs_a_person_says_what_failed_where_and_the_ways_out():
    order = order_at(Stage.CAPTURED)
    problem = "refund re-1 failed: lost_or_stolen_card"

    order.record_attention(problem, "REFUND_PAYMENT", [RETRY, TO_CREDIT], at(40), "r-1")

    assert order.status is OrderStatus.NEEDS_ATTENTION
    assert order.stage is OrderStatus.FULFILLING
    attention = order.attention
    assert (attention.problem, attention.step, attention.request_id) == (problem, "REFUND_PAYMENT", "r-1")
    assert attention.actions == [RETRY, TO_CREDIT]
    assert (attention.resume_status, attention.since) == (OrderStatus.FULFILLING, at(40))


def test_a_resolution_returns_the_order_to_where_it_stopped_and_says_who_resolved_it():
    order = stuck(order_at(Stage.CAPTURED))

    order.record_resolved(RETRY, "sam", at(41), "carrier is back")

    assert order.status is OrderStatus.FULFILLING and order.attention is None
    assert order.timeline[-1].event == "RESOLVED"
    assert order.timeline[-1].detail == "RETRY by sam: carrier is back"


def test_an_order_that_needs_no_attention_cannot_be_resolved():
    order = order_at(Stage.CAPTURED)

    with pytest.raises(InvalidTransition, match="does not need attention"):
        order.record_resolved(RESOLVED, "sam", at(41))


def test_a_finished_order_cannot_need_attention():
    order = cancelled_at(Stage.CONFIRMED)

    with pytest.raises(InvalidTransition):
        stuck(order)

    assert order.attention is None


def test_a_second_problem_keeps_where_the_order_stopped():
    order = stuck(order_at(Stage.CAPTURED))

    order.record_attention("still failing", "CREATE_SHIPMENT", [RETRY], at(45))

    assert order.attention.resume_status is OrderStatus.FULFILLING
    assert order.attention.problem == "still failing"


# --- cancellations see through it -------------------------------------------------------


def test_a_full_cancel_while_a_forward_step_needs_attention_closes_it_and_cancels():
    order = stuck(order_at(Stage.CAPTURED))

    decision = answer(order, cancel_request("req-1"))

    assert decision.accepted and decision.full
    assert [c.step for c in decision.compensations] == [Step.REFUND_PAYMENT, Step.RELEASE_STOCK]
    assert order.status is OrderStatus.CANCELLING and order.attention is None
    assert "ATTENTION_CLOSED" in [entry.event for entry in order.timeline]
    carry_out(order, decision, at(50))
    assert order.status is OrderStatus.CANCELLED


def test_a_partial_cancel_while_a_step_needs_attention_leaves_the_attention_open():
    order = stuck(order_at(Stage.CAPTURED))

    decision = answer(order, cancel_lines("req-1", ("sku-1", 1)))

    assert decision.accepted and not decision.full
    assert order.status is OrderStatus.NEEDS_ATTENTION
    assert order.attention.resume_status is OrderStatus.FULFILLING


def test_a_request_while_a_cancellation_needs_attention_is_told_the_order_is_already_cancelled():
    order = cancelling_at(Stage.CAPTURED)
    stuck(order, "REFUND_PAYMENT", "req-0")

    decision = decide(order, cancel_request("req-1"), POLICY, IN_WINDOW)

    assert decision.outcome.reason_code is ReasonCode.ALREADY_CANCELLED
    assert order.attention.resume_status is OrderStatus.CANCELLING


def test_a_full_cancel_after_pickup_under_attention_asks_for_an_intercept_and_keeps_the_attention():
    order = stuck(order_at(Stage.PICKED_UP), "SHIP_STOCK")

    decision = answer(order, cancel_request("req-1"))

    assert decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED
    assert order.status is OrderStatus.NEEDS_ATTENTION


# --- the parcel moves on regardless -----------------------------------------------------


def test_scans_move_the_stage_under_attention_and_the_resolution_resumes_there():
    order = stuck(order_at(Stage.LABEL_BOUGHT), "SHIP_STOCK")

    picked_up = order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.PICKED_UP), at(41))
    stage_after_pickup = order.stage
    delivered = order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.DELIVERED), at(42))
    order.record_resolved(RETRY, "sam", at(43))

    assert picked_up and delivered
    assert stage_after_pickup is OrderStatus.SHIPPED
    assert order.status is OrderStatus.DELIVERED


# --- a refund that fails ----------------------------------------------------------------


def test_a_failed_refund_resolved_to_store_credit_settles_the_order_without_refunding_twice():
    order = cancelling_at(Stage.CAPTURED)
    order.record_stock(StockState.RELEASED, at(31))
    order.record_refund_started(TOTAL, at(32), "refund re-1")
    order.record_refund_settled(TOTAL, False, at(33), "refund re-1 failed: expired_or_canceled_card")
    order.record_attention("refund re-1 failed", "REFUND_PAYMENT", [RETRY, TO_CREDIT, RESOLVED], at(33), "req-0")

    order.record_resolved(TO_CREDIT, "sam", at(40))
    order.record_store_credit(TOTAL, at(40), "store credit sc-1")
    order.record_cancelled(at(41))

    assert order.status is OrderStatus.CANCELLED
    assert (order.captured_minor, order.refunded_minor, order.store_credit_minor) == (TOTAL, TOTAL, TOTAL)
    assert order.refund_pending_minor == 0


def test_a_full_cancel_taking_over_from_a_failed_partial_refund_refunds_that_part_too():
    order = order_at(Stage.CAPTURED)
    partial = answer(order, cancel_lines("req-1", ("sku-1", 1)))
    [refund] = [c for c in partial.compensations if c.step is Step.REFUND_PAYMENT]
    order.record_refund_started(refund.amount_minor, at(20), "refund re-1")
    order.record_refund_settled(refund.amount_minor, False, at(21), "refund re-1 failed: declined")
    stuck(order, "REFUND_PAYMENT", "req-1")

    full = answer(order, cancel_request("req-2", refund_to=RefundDestination.STORE_CREDIT))
    carry_out(order, full, at(30))

    [last] = [c for c in full.compensations if c.step is Step.REFUND_PAYMENT]
    assert last.amount_minor == TOTAL
    assert order.status is OrderStatus.CANCELLED
    assert order.store_credit_minor == order.refunded_minor == order.captured_minor


@pytest.mark.parametrize(
    ("stage", "wait", "scan", "answered"),
    [
        pytest.param(Stage.LABEL_BOUGHT, "AWAIT_PICKUP", ShipmentEventType.PICKED_UP, True, id="pickup answers pickup"),
        pytest.param(Stage.LABEL_BOUGHT, "AWAIT_PICKUP", ShipmentEventType.DELIVERED, True, id="delivery answers pickup"),
        pytest.param(Stage.PICKED_UP, "AWAIT_DELIVERY", ShipmentEventType.DELIVERED, True, id="delivery answers delivery"),
        pytest.param(Stage.PICKED_UP, "AWAIT_DELIVERY", ShipmentEventType.IN_TRANSIT, False, id="transit is no delivery"),
        pytest.param(Stage.LABEL_BOUGHT, "CREATE_SHIPMENT", ShipmentEventType.PICKED_UP, False, id="another problem"),
    ],
)
def test_the_scan_a_person_was_asked_to_chase_closes_the_question(stage, wait, scan, answered):
    order = stuck(order_at(stage), wait)

    order.record_shipment_event(ShipmentEvent(type=scan), at(41))

    assert (order.attention is None) is answered
    assert (order.status is OrderStatus.NEEDS_ATTENTION) is not answered
