"""Requests answered later: a carrier intercept after pickup, and customer-service review."""

from datetime import timedelta

import pytest

from domain.cancellation import Compensation, Step, decide, notifies_customer, settle_intercept, settle_review
from domain.errors import InvalidTransition
from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.policy import Policy
from domain.requests import (
    CancellationRequest,
    CancellationReview,
    CancelReason,
    ReasonCode,
    RefundDestination,
    RequestedBy,
    ReviewDecision,
    Suggestion,
    Verdict,
)
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.unit.factories import (
    AFTER_WINDOW,
    IN_WINDOW,
    POLICY,
    TOTAL,
    WINDOW_CLOSES,
    Stage,
    answer,
    at,
    cancel_lines,
    cancel_request,
    carry_out,
    order_at,
    place_order,
)


def scan(order: Order, kind: ShipmentEventType) -> None:
    order.record_shipment_event(ShipmentEvent(type=kind), at(50))


def settle(order: Order, decision) -> None:
    record = order.open_request
    assert record is not None
    order.record_settlement(record.request_id, decision.outcome, decision.selection, at(70))


def review(decision: ReviewDecision, note: str | None = None) -> CancellationReview:
    return CancellationReview(request_id="req-1", decision=decision, reviewer="sam", note=note)


# --- after pickup: ask the carrier ------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [cancel_request("req-1"), cancel_lines("req-1", ("sku-1", 1), ("sku-2", 1))],
    ids=["whole order", "every line named"],
)
def test_a_full_cancel_after_pickup_asks_the_carrier_to_intercept_and_leaves_the_order_as_is(request_):
    order = order_at(Stage.PICKED_UP)

    decision = answer(order, request_)

    assert decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED
    assert not decision.accepted
    assert decision.compensations == [Compensation(step=Step.REQUEST_INTERCEPT)]
    assert "not guaranteed" in decision.outcome.message
    assert order.status is OrderStatus.SHIPPED
    assert order.open_request is order.cancellation("req-1")
    assert all(line.cancelled_quantity == 0 for line in order.lines)
    assert order.refunded_minor == 0


def test_a_partial_cancel_after_pickup_is_rejected_suggesting_a_return():
    order = order_at(Stage.PICKED_UP)

    decision = decide(order, cancel_lines("req-1", ("sku-1", 1)), POLICY, IN_WINDOW)

    assert decision.outcome.outcome is Verdict.REJECTED
    assert decision.outcome.reason_code is ReasonCode.ALREADY_SHIPPED
    assert decision.outcome.suggestion is Suggestion.RETURN
    assert decision.compensations == []


@pytest.mark.parametrize("refund_to", list(RefundDestination), ids=lambda to: to.value)
@pytest.mark.parametrize("restock", [True, False], ids=["restock", "no restock"])
def test_a_parcel_returned_to_sender_is_restocked_then_refunded_in_full(refund_to, restock):
    order = order_at(Stage.PICKED_UP)
    answer(order, cancel_request("req-1", refund_to=refund_to, restock=restock))
    scan(order, ShipmentEventType.RETURNED_TO_SENDER)

    decision = settle_intercept(order, order.open_request, returned=True)

    assert decision.accepted and decision.full
    assert decision.outcome.request_id == "req-1"
    assert decision.compensations == [
        Compensation(step=Step.RESTOCK_RETURNED, restock=restock),
        Compensation(step=Step.REFUND_PAYMENT, amount_minor=TOTAL, refund_to=refund_to, rest=True),
    ]


def test_a_parcel_returned_before_its_units_were_booked_out_releases_the_reservation():
    order = order_at(Stage.LABEL_BOUGHT)
    scan(order, ShipmentEventType.PICKED_UP)  # the warehouse has not booked the units out yet
    answer(order, cancel_request("req-1", requested_by=RequestedBy.CUSTOMER_SERVICE))

    decision = settle_intercept(order, order.open_request, returned=True)

    assert decision.compensations[0] == Compensation(step=Step.RELEASE_STOCK)


def test_a_returned_parcel_of_a_free_order_is_restocked_with_nothing_to_refund():
    order = order_at(Stage.PICKED_UP, place_order(lines=1, unit_price_minor=0, shipping_fee_minor=0))
    answer(order, cancel_request("req-1"))

    decision = settle_intercept(order, order.open_request, returned=True)

    assert decision.compensations == [Compensation(step=Step.RESTOCK_RETURNED)]


def test_a_returned_parcel_ends_the_order_cancelled_with_every_cent_back():
    order = order_at(Stage.PICKED_UP)
    answer(order, cancel_request("req-1"))
    decision = settle_intercept(order, order.open_request, returned=True)

    settle(order, decision)
    carry_out(order, decision, at(71))

    assert order.status is OrderStatus.CANCELLED
    assert order.refunded_minor == order.captured_minor == TOTAL
    assert order.cancellation("req-1").outcome is Verdict.ACCEPTED
    assert order.open_request is None


def test_a_parcel_the_carrier_brought_back_unasked_is_cancelled_by_restocking_and_refunding_it():
    order = order_at(Stage.PICKED_UP)
    scan(order, ShipmentEventType.RETURNED_TO_SENDER)
    assert order.returned_undelivered

    decision = answer(order, cancel_request("req-1", requested_by=RequestedBy.CUSTOMER_SERVICE))
    carry_out(order, decision, at(71))

    assert decision.outcome.outcome is Verdict.ACCEPTED
    assert [c.step for c in decision.compensations] == [Step.RESTOCK_RETURNED, Step.REFUND_PAYMENT]
    assert order.status is OrderStatus.CANCELLED and order.refunded_minor == order.captured_minor == TOTAL


def test_part_of_a_parcel_that_came_back_cannot_be_cancelled_alone():
    order = order_at(Stage.PICKED_UP)
    scan(order, ShipmentEventType.RETURNED_TO_SENDER)

    decision = answer(order, cancel_lines("req-1", ("sku-1", 1)))

    assert (decision.outcome.outcome, decision.outcome.reason_code) == (Verdict.REJECTED, ReasonCode.ALREADY_SHIPPED)


def test_a_parcel_sent_again_after_it_came_back_awaits_its_delivery_anew():
    order = order_at(Stage.PICKED_UP)
    scan(order, ShipmentEventType.RETURNED_TO_SENDER)

    order.record_resent("sam", at(60))

    assert not order.returned_undelivered and order.stage is OrderStatus.SHIPPED


def test_a_failed_intercept_rejects_the_request_suggesting_a_return_and_the_order_goes_on():
    order = order_at(Stage.PICKED_UP)
    answer(order, cancel_request("req-1"))
    scan(order, ShipmentEventType.INTERCEPT_FAILED)

    decision = settle_intercept(order, order.open_request, returned=False)
    settle(order, decision)

    assert decision.outcome.outcome is Verdict.REJECTED
    assert decision.outcome.reason_code is ReasonCode.INTERCEPT_FAILED
    assert decision.outcome.suggestion is Suggestion.RETURN
    assert decision.compensations == []
    assert notifies_customer(cancel_request("req-1"), decision)
    assert order.status is OrderStatus.SHIPPED
    assert order.open_request is None
    assert decide(order, cancel_request("req-1"), POLICY, IN_WINDOW).outcome == decision.outcome


@pytest.mark.parametrize(
    "second",
    [
        cancel_request("req-2"),
        cancel_lines("req-2", ("sku-1", 1)),
        cancel_request("req-2", requested_by=RequestedBy.SYSTEM),
    ],
    ids=["whole order", "partial", "from the system"],
)
def test_while_an_intercept_is_awaited_other_requests_are_told_one_is_pending(second):
    order = order_at(Stage.PICKED_UP)
    answer(order, cancel_request("req-1"))

    decision = decide(order, second, POLICY, IN_WINDOW)

    assert decision.outcome.outcome is Verdict.REJECTED
    assert decision.outcome.reason_code is ReasonCode.CANCELLATION_PENDING
    assert decision.compensations == []
    assert not notifies_customer(second, decision)


def test_a_request_that_is_no_longer_open_cannot_be_settled():
    order = order_at(Stage.PICKED_UP)
    answer(order, cancel_request("req-1"))
    decision = settle_intercept(order, order.open_request, returned=False)
    settle(order, decision)

    with pytest.raises(InvalidTransition, match="not awaiting a decision"):
        order.record_settlement("req-1", decision.outcome, decision.selection, at(80))
    with pytest.raises(InvalidTransition):
        order.record_settlement("req-unknown", decision.outcome, decision.selection, at(80))


# --- review -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.CONFIRMED, Stage.CAPTURED, Stage.LABEL_BOUGHT], ids=lambda s: s.value)
def test_a_customer_request_after_the_window_and_before_pickup_goes_to_review(stage):
    order = order_at(stage)

    decision = answer(order, cancel_request("req-1"), now=AFTER_WINDOW)

    assert decision.outcome.outcome is Verdict.PENDING_REVIEW
    assert decision.compensations == []
    assert not notifies_customer(cancel_request("req-1"), decision)
    assert "customer service" in decision.outcome.message
    assert order.status is order_at(stage).status
    assert order.open_request is order.cancellation("req-1")


def test_the_window_closes_when_the_confirmation_says_it_does():
    order = order_at(Stage.CONFIRMED)
    request = cancel_request("req-1")

    just_before = decide(order, request, POLICY, WINDOW_CLOSES - timedelta(seconds=1))
    at_close = decide(order, request, POLICY, WINDOW_CLOSES)

    assert order.window_closes_at == WINDOW_CLOSES
    assert just_before.outcome.outcome is Verdict.ACCEPTED
    assert at_close.outcome.outcome is Verdict.PENDING_REVIEW


@pytest.mark.parametrize("by", [RequestedBy.CUSTOMER_SERVICE, RequestedBy.SYSTEM], ids=lambda by: by.value)
def test_staff_and_systems_are_never_sent_to_review(by):
    order = order_at(Stage.CAPTURED)
    strict = Policy(review_above_minor=0)

    decision = decide(order, cancel_request("req-1", requested_by=by), strict, AFTER_WINDOW)

    assert decision.accepted


def test_a_shop_that_does_not_review_late_requests_grants_them():
    order = order_at(Stage.CAPTURED)
    lenient = Policy(review_customer_requests_after_window=False)

    decision = decide(order, cancel_request("req-1"), lenient, AFTER_WINDOW)

    assert decision.accepted


@pytest.mark.parametrize(
    ("request_", "threshold", "verdict"),
    [
        pytest.param(cancel_request("req-1"), TOTAL - 1, Verdict.PENDING_REVIEW, id="whole order above"),
        pytest.param(cancel_request("req-1"), TOTAL, Verdict.ACCEPTED, id="whole order at the threshold"),
        pytest.param(cancel_request("req-1"), 2000, Verdict.PENDING_REVIEW, id="the fee counts for a whole order"),
        pytest.param(cancel_lines("req-1", ("sku-1", 1)), 999, Verdict.PENDING_REVIEW, id="one line above"),
        pytest.param(cancel_lines("req-1", ("sku-1", 1)), 1000, Verdict.ACCEPTED, id="one line at the threshold"),
    ],
)
def test_a_customer_request_worth_more_than_the_threshold_goes_to_review_even_in_the_window(
    request_, threshold, verdict
):
    order = order_at(Stage.CONFIRMED)

    decision = decide(order, request_, Policy(review_above_minor=threshold), IN_WINDOW)

    assert decision.outcome.outcome is verdict


def test_a_request_before_confirmation_has_no_window_to_miss():
    order = order_at(Stage.AUTHORIZED)

    decision = decide(order, cancel_request("req-1"), POLICY, AFTER_WINDOW)

    assert decision.accepted


def test_while_a_review_is_open_another_customer_request_is_told_one_is_pending():
    order = order_at(Stage.CAPTURED)
    answer(order, cancel_request("req-1"), now=AFTER_WINDOW)

    decision = decide(order, cancel_request("req-2"), POLICY, AFTER_WINDOW)

    assert decision.outcome.reason_code is ReasonCode.CANCELLATION_PENDING


@pytest.mark.parametrize("by", [RequestedBy.CUSTOMER_SERVICE, RequestedBy.SYSTEM], ids=lambda by: by.value)
def test_a_whole_order_cancellation_needing_no_review_overtakes_an_open_review(by):
    order = order_at(Stage.CAPTURED)
    answer(order, cancel_lines("req-1", ("sku-1", 1)), now=AFTER_WINDOW)

    decision = answer(order, cancel_request("req-2", requested_by=by), now=AFTER_WINDOW)

    assert decision.accepted and decision.full
    assert decision.superseded is not None and decision.superseded.reason_code is ReasonCode.SUPERSEDED
    assert order.cancellation("req-1").outcome is Verdict.REJECTED
    assert order.open_request is None and order.status is OrderStatus.CANCELLING


def test_a_recall_by_staff_overtakes_a_review_left_open_when_the_parcel_was_picked_up():
    order = order_at(Stage.LABEL_BOUGHT)
    answer(order, cancel_request("req-1"), now=AFTER_WINDOW)
    scan(order, ShipmentEventType.PICKED_UP)

    decision = answer(order, cancel_request("req-2", requested_by=RequestedBy.CUSTOMER_SERVICE), now=AFTER_WINDOW)

    # One open request at a time: the carrier's answer settles the recall, not the stale review.
    assert decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED
    assert order.cancellation("req-1").reason_code is ReasonCode.SUPERSEDED
    assert order.open_request is order.cancellation("req-2")


def test_a_declined_card_cancels_an_order_whose_customer_request_awaits_review():
    order = order_at(Stage.PLACED)
    policy = POLICY.model_copy(update={"review_above_minor": 0})
    answer(order, cancel_request("req-1"), policy=policy)
    declined = cancel_request("system-declined", requested_by=RequestedBy.SYSTEM, reason=CancelReason.DECLINED)

    decision = decide(order, declined, policy, at(1))

    assert decision.accepted and decision.full
    assert decision.superseded is not None and decision.superseded.request_id == "req-1"


def test_a_partial_cancellation_by_staff_leaves_the_review_open_and_an_approval_rechecks_its_lines():
    order = order_at(Stage.CAPTURED)
    answer(order, cancel_lines("req-1", ("sku-1", 1)), now=AFTER_WINDOW)
    staff = cancel_lines("req-2", ("sku-1", 1), requested_by=RequestedBy.CUSTOMER_SERVICE)
    answer(order, staff, now=AFTER_WINDOW)

    decision = settle_review(order, order.open_request, review(ReviewDecision.APPROVE))

    assert order.open_request.request_id == "req-1"
    assert decision.outcome.reason_code is ReasonCode.INVALID_LINES
    # The customer was told to wait for customer service: they are told how it ended.
    assert notifies_customer(order.open_request.request(), decision)


@pytest.mark.parametrize(
    ("request_", "full"),
    [(cancel_request("req-1"), True), (cancel_lines("req-1", ("sku-2", 1)), False)],
    ids=["whole order", "one line"],
)
def test_an_approved_review_is_accepted_and_undoes_what_has_happened_by_then(request_, full):
    order = order_at(Stage.CONFIRMED)
    answer(order, request_, now=AFTER_WINDOW)
    order.record_capture(order.capturable_minor, at(61))  # capture went ahead meanwhile

    decision = settle_review(order, order.open_request, review(ReviewDecision.APPROVE))
    settle(order, decision)

    assert decision.accepted and decision.full is full
    assert decision.outcome.request_id == "req-1"
    [refund] = [c for c in decision.compensations if c.step is Step.REFUND_PAYMENT]
    assert refund.amount_minor == (TOTAL if full else 1000)
    assert order.cancellation("req-1").outcome is Verdict.ACCEPTED
    assert order.status is (OrderStatus.CANCELLING if full else OrderStatus.FULFILLING)
    assert order.line("sku-2").open_quantity == 0


def test_a_review_approved_after_pickup_asks_the_carrier_instead():
    order = order_at(Stage.LABEL_BOUGHT)
    answer(order, cancel_request("req-1"), now=AFTER_WINDOW)
    scan(order, ShipmentEventType.PICKED_UP)

    decision = settle_review(order, order.open_request, review(ReviewDecision.APPROVE))
    settle(order, decision)

    assert decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED
    assert decision.compensations == [Compensation(step=Step.REQUEST_INTERCEPT)]
    assert order.cancellation("req-1").outcome is Verdict.INTERCEPT_REQUESTED
    assert order.open_request is order.cancellation("req-1")
    assert order.status is OrderStatus.SHIPPED


def test_a_partial_review_approved_after_pickup_is_rejected_suggesting_a_return():
    order = order_at(Stage.LABEL_BOUGHT)
    answer(order, cancel_lines("req-1", ("sku-1", 1)), now=AFTER_WINDOW)
    scan(order, ShipmentEventType.PICKED_UP)

    decision = settle_review(order, order.open_request, review(ReviewDecision.APPROVE))

    assert decision.outcome.reason_code is ReasonCode.ALREADY_SHIPPED
    assert decision.compensations == []


@pytest.mark.parametrize(
    "request_", [cancel_request("req-1"), cancel_lines("req-1", ("sku-1", 1))], ids=["whole order", "one line"]
)
def test_a_review_approved_after_delivery_is_rejected_as_a_return(request_):
    order = order_at(Stage.LABEL_BOUGHT)
    answer(order, request_, now=AFTER_WINDOW)
    scan(order, ShipmentEventType.DELIVERED)

    decision = settle_review(order, order.open_request, review(ReviewDecision.APPROVE))
    settle(order, decision)

    assert decision.outcome.outcome is Verdict.REJECTED
    assert decision.outcome.reason_code is ReasonCode.ALREADY_DELIVERED
    assert decision.compensations == []
    assert order.status is OrderStatus.DELIVERED
    assert all(line.cancelled_quantity == 0 for line in order.lines)


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("items already picked", "was declined (items already picked); the order goes ahead"),
        (None, "was declined; the order goes ahead"),
    ],
    ids=["with a note", "without a note"],
)
def test_a_denied_review_rejects_the_request_with_the_reviewers_note_and_tells_the_customer(note, said):
    order = order_at(Stage.CAPTURED)
    request = cancel_request("req-1")
    answer(order, request, now=AFTER_WINDOW)

    decision = settle_review(order, order.open_request, review(ReviewDecision.DENY, note))
    settle(order, decision)

    assert decision.outcome.outcome is Verdict.REJECTED
    assert decision.outcome.reason_code is ReasonCode.REVIEW_DENIED
    assert said in decision.outcome.message
    assert decision.compensations == []
    assert notifies_customer(request, decision)
    assert order.status is OrderStatus.FULFILLING and order.open_request is None
    assert order.cancellation("req-1").answer() == decision.outcome


def test_a_request_awaiting_review_and_its_settled_record_read_back_from_the_view():
    order = order_at(Stage.CAPTURED)
    answer(order, cancel_lines("req-1", ("sku-1", 1), refund_to=RefundDestination.STORE_CREDIT), now=AFTER_WINDOW)

    record = Order.model_validate(order.model_dump(mode="json")).cancellation("req-1")

    assert record.open
    assert record.request() == CancellationRequest(
        request_id="req-1", reason="CUSTOMER", lines=[{"sku": "sku-1", "quantity": 1}], refund_to="STORE_CREDIT"
    )
