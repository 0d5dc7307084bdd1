"""When a person must look at an order, what holds fulfilment back, and the ways out of a failed step."""

import pytest

from domain.cancellation import Compensation, Step
from domain.order import Order
from domain.requests import CancelReason, RefundDestination, RequestedBy, ResolutionAction, Verdict
from tests.unit.factories import AFTER_WINDOW, Stage, answer, cancel_request, order_at

RETRY, RESOLVED = ResolutionAction.RETRY, ResolutionAction.MARK_RESOLVED
TO_CREDIT = ResolutionAction.REFUND_TO_STORE_CREDIT


def test_a_refund_the_card_refused_may_go_to_store_credit():
    step = Compensation(step=Step.REFUND_PAYMENT, amount_minor=500)

    assert step.ways_out(card_refused=True) == [RETRY, TO_CREDIT, RESOLVED]


def test_a_refund_that_may_still_reach_the_card_is_not_offered_store_credit():
    """Its answer was lost, or it is still pending: credit now could pay the customer twice."""
    step = Compensation(step=Step.REFUND_PAYMENT, amount_minor=500)

    assert step.ways_out(card_refused=False) == [RETRY, RESOLVED]


def test_store_credit_that_cannot_be_issued_is_not_offered_store_credit_again():
    step = Compensation(step=Step.REFUND_PAYMENT, amount_minor=500, refund_to=RefundDestination.STORE_CREDIT)

    assert step.ways_out(card_refused=True) == [RETRY, RESOLVED]


def test_store_credit_whose_answer_was_lost_is_asked_again_never_swapped_back_for_the_card():
    step = Compensation(step=Step.REFUND_PAYMENT, amount_minor=500)

    assert step.ways_out(card_refused=True, credit_unknown=True) == [TO_CREDIT, RESOLVED]


@pytest.mark.parametrize("kind", [s for s in Step if s is not Step.REFUND_PAYMENT])
@pytest.mark.parametrize("card_refused", [False, True])
def test_any_other_step_is_retried_or_recorded_as_done_outside_the_system(kind: Step, card_refused: bool):
    assert Compensation(step=kind).ways_out(card_refused=card_refused) == [RETRY, RESOLVED]


def test_an_order_is_under_review_only_while_a_request_awaits_a_person():
    order = order_at(Stage.CONFIRMED)
    assert order.under_review is None

    request = cancel_request("late", reason=CancelReason.CUSTOMER, requested_by=RequestedBy.CUSTOMER)
    decision = answer(order, request, AFTER_WINDOW)

    assert decision.outcome.outcome is Verdict.PENDING_REVIEW
    assert order.under_review is not None and order.under_review.request_id == "late"


def test_an_intercept_awaiting_the_carrier_is_open_but_holds_no_review():
    order = order_at(Stage.PICKED_UP)
    request = cancel_request("recall")
    decision = answer(order, request, AFTER_WINDOW)

    assert decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED
    assert order.open_request is not None and order.under_review is None


def test_an_order_needs_attention_while_a_step_is_stuck_or_an_overdue_review_is_open():
    order = order_at(Stage.CONFIRMED)
    request = cancel_request("late")
    decision = answer(order, request, AFTER_WINDOW)
    assert not order.needs_attention

    order.cancellations[0].escalated = True
    assert order.needs_attention

    order.cancellations[0].settle(decision.outcome.model_copy(update={"outcome": Verdict.REJECTED}))
    assert not order.needs_attention

    order.record_attention("capture failed", "CAPTURE_PAYMENT", [RETRY], AFTER_WINDOW)
    assert order.needs_attention


def under_review_at(stage: Stage) -> Order:
    order = order_at(stage)
    request = cancel_request("late", reason=CancelReason.CUSTOMER, requested_by=RequestedBy.CUSTOMER)
    answer(order, request, AFTER_WINDOW)
    return order


def test_a_labelled_parcel_is_held_while_a_request_awaits_review_and_released_after():
    order = under_review_at(Stage.LABEL_BOUGHT)
    assert order.pickup_hold_change() == (True, "late")

    order.record_pickup_held("late", True, AFTER_WINDOW)
    assert order.pickup_hold_change() is None

    order.cancellations[0].settle(order.cancellations[0].answer().model_copy(update={"outcome": Verdict.REJECTED}))
    assert order.pickup_hold_change() == (False, "late")

    order.record_pickup_released(AFTER_WINDOW)
    assert order.pickup_hold_change() is None and order.shipment is not None and order.shipment.held_for is None


@pytest.mark.parametrize("stage", [Stage.CAPTURED, Stage.PICKED_UP])
def test_nothing_is_held_without_a_label_or_once_the_carrier_has_the_parcel(stage: Stage):
    order = under_review_at(Stage.CAPTURED) if stage is Stage.CAPTURED else order_at(stage)

    assert order.pickup_hold_change() is None


def test_a_hold_asked_too_late_is_not_asked_again():
    order = under_review_at(Stage.LABEL_BOUGHT)

    order.record_pickup_held("late", False, AFTER_WINDOW)

    assert order.pickup_hold_change() is None and order.timeline[-1].event == "PICKUP_HOLD_TOO_LATE"
