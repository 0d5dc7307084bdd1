"""Idempotency keys are a contract with the third parties: orders in flight ask again under them.

Each expected key below is written out by hand. A test here that fails means a change would make
orders in flight refund, ship or mail twice: keep the old key, or guard the change with a patch.
"""

import pytest

from activities.carrier import CreateShipment
from activities.payment import AuthorizePayment
from domain import keys, messages
from domain.cancellation import Step
from domain.requests import CancellationRequest, CancellationReview, CancelReason, ReviewDecision
from tests.unit.factories import order_at, place_order

COMPENSATION_KEYS = {
    Step.VOID_LABEL: "A1:void_label:cs-1",
    Step.REQUEST_INTERCEPT: "A1:request_intercept:cs-1",
    Step.RESTOCK_RETURNED: "A1:restock_returned:cs-1",
    Step.REFUND_PAYMENT: "A1:refund_payment:cs-1",
    Step.VOID_AUTHORIZATION: "A1:void_authorization:cs-1",
    Step.RELEASE_STOCK: "A1:release_stock:cs-1",
}


def test_every_compensation_step_has_a_pinned_key() -> None:
    assert set(COMPENSATION_KEYS) == set(Step), "a new Step needs its key pinned here"


@pytest.mark.parametrize("step", list(Step))
def test_a_compensation_key_names_the_order_the_step_and_the_request(step: Step) -> None:
    assert keys.compensation("A1", step, "cs-1", 0) == COMPENSATION_KEYS[step]


def test_a_compensation_asked_again_after_a_refusal_has_the_attempt_in_its_key() -> None:
    assert keys.compensation("A1", Step.REFUND_PAYMENT, "cs-1", 2) == "A1:refund_payment-2:cs-1"
    assert keys.store_credit("A1", "cs-1", 0) == "A1:store_credit-0:cs-1"
    assert keys.store_credit("A1", "cs-1", 1) == "A1:store_credit-1:cs-1"


@pytest.mark.parametrize(
    ("activity", "key"),
    [
        ("authorize_payment", "A1:authorize"),
        ("reserve_stock", "A1:reserve"),
        ("capture_payment", "A1:capture"),
        ("create_shipment", "A1:label"),
        ("ship_stock", "A1:ship"),
    ],
)
def test_every_forward_step_has_a_pinned_key(activity: str, key: str) -> None:
    assert keys.forward("A1", activity) == key


def test_a_new_hold_for_one_that_lapsed_is_keyed_by_its_count() -> None:
    assert keys.reauthorize("A1", 1) == "A1:reauthorize-1"
    assert keys.reauthorize("A1", 2) == "A1:reauthorize-2"


def test_a_forward_step_asked_again_after_a_refusal_is_keyed_by_its_activity_and_count() -> None:
    assert keys.forward_retry("A1", "capture_payment", 1) == "A1:capture_payment-retry-1"
    assert keys.forward_retry("A1", "hold_pickup", 2) == "A1:hold_pickup-retry-2"


def test_the_pickup_hold_and_its_release_are_keyed_by_the_review() -> None:
    assert keys.pickup("A1", hold=True, request_id="cs-1") == "A1:hold_pickup:cs-1"
    assert keys.pickup("A1", hold=False, request_id="cs-1") == "A1:release_pickup:cs-1"


def test_the_activities_own_requests_use_the_forward_keys() -> None:
    placed = place_order(order_id="A1")

    assert AuthorizePayment.for_order(placed).idempotency_key == "A1:authorize"
    assert CreateShipment.for_order(placed, 2).idempotency_key == "A1:label"


def test_every_message_kind_has_a_pinned_key() -> None:
    order = order_at(command=place_order(order_id="A1"))

    assert set(messages._KEY_NAMES) == set(messages.MessageKind), "a new MessageKind needs its key pinned"
    assert messages.confirmation(order).key == "A1:confirmation"
    assert messages.escalation(order, "cs@shop.example", "stuck", "attention-1").key == "A1:escalation:attention-1"
    assert messages._KEY_NAMES == {
        messages.MessageKind.CONFIRMATION: "confirmation",
        messages.MessageKind.CANCELLATION: "cancellation",
        messages.MessageKind.PARTIAL_CANCELLATION: "partial_cancellation",
        messages.MessageKind.RECALL_REQUESTED: "recall_requested",
        messages.MessageKind.REJECTION: "rejection",
        messages.MessageKind.CHARGE_CORRECTION: "charge_correction",
        messages.MessageKind.ESCALATION: "escalation",
    }


def test_a_repeated_request_has_the_same_update_id_and_a_changed_one_another() -> None:
    request = CancellationRequest(request_id="cs-1", reason=CancelReason.CUSTOMER)
    again = CancellationRequest.model_validate_json(request.model_dump_json())
    changed = request.model_copy(update={"reason": CancelReason.FRAUD})

    assert keys.update_id("cancel", "cs-1", request) == keys.update_id("cancel", "cs-1", again)
    assert keys.update_id("cancel", "cs-1", request) != keys.update_id("cancel", "cs-1", changed)
    assert keys.update_id("cancel", "cs-1", request).startswith("cancel:cs-1:")


def test_a_review_and_a_cancel_under_one_request_id_are_different_updates() -> None:
    review = CancellationReview(request_id="cs-1", decision=ReviewDecision.APPROVE, reviewer="sam")
    request = CancellationRequest(request_id="cs-1", reason=CancelReason.CUSTOMER)

    assert keys.update_id("review", "cs-1", review) != keys.update_id("cancel", "cs-1", request)
