"""What the customer is told: one key per outcome, and facts stated in their own money."""

import pytest

from domain import messages
from domain.cancellation import decide
from domain.messages import MessageKind
from domain.order import Order
from domain.requests import CancelReason, RefundDestination
from tests.unit.factories import (
    IN_WINDOW,
    POLICY,
    Stage,
    answer,
    at,
    cancel_lines,
    cancel_request,
    cancelled_at,
    cancelling_at,
    carry_out,
    order_at,
    place_order,
)


def _refunded_order(amount_minor: int) -> Order:
    """A one-line order of exactly `amount_minor`, captured, then cancelled and refunded in full."""
    command = place_order(lines=1, unit_price_minor=amount_minor, shipping_fee_minor=0)
    order = order_at(Stage.CAPTURED, command)
    order.record_refund(order.captured_minor, at(20))
    return order


def test_message_keys_are_unique_per_order_kind_and_request():
    orders = [order_at(Stage.PICKED_UP, place_order(order_id=order_id)) for order_id in ("ord-1", "ord-2")]
    requests = [cancel_request(request_id) for request_id in ("req-1", "req-2")]

    keys = [messages.confirmation(order).key for order in orders]
    for order in orders:
        for request in requests:
            outcome = decide(order, request, POLICY, IN_WINDOW).outcome
            keys.append(messages.cancellation(order, request).key)
            keys.append(messages.partial_cancellation(order, request, {"sku-1": 1}, 0, 0).key)
            keys.append(messages.recall_requested(order, outcome).key)
            keys.append(messages.rejection(order, outcome).key)
            keys.append(messages.escalation(order, "cs@shop.example", "stuck", f"review-{request.request_id}").key)

    assert len(keys) == len(set(keys)) == 2 + 2 * 2 * 5


def test_the_same_outcome_always_gets_the_same_key():
    order = order_at(Stage.CONFIRMED)
    request = cancel_request("req-1")

    first = messages.cancellation(order, request)
    retried = messages.cancellation(order, request)

    assert first.key == retried.key == "ord-1:cancellation:req-1"


def test_each_message_says_what_kind_it_is_and_goes_to_the_customer():
    order = order_at(Stage.PICKED_UP)
    request = cancel_request()

    sent = [
        messages.confirmation(order),
        messages.cancellation(order, request),
        messages.rejection(order, decide(order, request, POLICY, IN_WINDOW).outcome),
    ]

    assert [m.kind for m in sent] == [MessageKind.CONFIRMATION, MessageKind.CANCELLATION, MessageKind.REJECTION]
    assert {m.to for m in sent} == {"ada@example.com"}
    assert {m.order_id for m in sent} == {"ord-1"}


def test_an_escalation_goes_to_customer_service_not_the_customer():
    order = order_at(Stage.CAPTURED)

    message = messages.escalation(order, "support@shop.example", "refund re-1 failed", "attention-1")

    assert message.kind is MessageKind.ESCALATION
    assert message.to == "support@shop.example"
    assert message.key == "ord-1:escalation:attention-1"
    assert message.subject == "Order ord-1 needs attention"
    assert message.body.startswith("refund re-1 failed\n")
    assert "workflow id order-ord-1" in message.body


def test_the_recall_message_repeats_the_intercept_answer():
    order = order_at(Stage.PICKED_UP)
    outcome = decide(order, cancel_request("req-3"), POLICY, IN_WINDOW).outcome

    message = messages.recall_requested(order, outcome)

    assert (message.kind, message.key) == (MessageKind.RECALL_REQUESTED, "ord-1:recall_requested:req-3")
    assert message.to == "ada@example.com"
    assert message.body == outcome.message
    assert "not guaranteed" in message.body


# --- partial cancellation -----------------------------------------------------------------


def test_a_partial_cancellation_names_the_units_and_says_the_rest_goes_ahead():
    order = order_at(Stage.CONFIRMED, place_order(lines=2, quantity=3))
    request = cancel_lines("req-4", ("sku-1", 2), ("sku-2", 1))

    message = messages.partial_cancellation(order, request, {"sku-1": 2, "sku-2": 1}, 0, 0)

    assert (message.kind, message.key) == (MessageKind.PARTIAL_CANCELLATION, "ord-1:partial_cancellation:req-4")
    assert message.subject == "Order ord-1 changed"
    assert "We cancelled 2 x sku-1, 1 x sku-2 from your order ord-1; the rest of the order goes ahead." in message.body
    assert "You will not be charged for them." in message.body


@pytest.mark.parametrize(
    ("to_card", "to_credit", "said"),
    [
        (2000, 0, "We refunded 20.00 EUR to your original payment method."),
        (0, 2000, "We added 20.00 EUR to your store credit."),
    ],
    ids=["to the card", "as store credit"],
)
def test_a_partial_cancellation_after_capture_says_where_the_money_went(to_card, to_credit, said):
    order = order_at(Stage.CAPTURED, place_order(lines=2, quantity=3))

    # Where the money went, not where it was asked to go: a person may have moved a failed refund.
    request = cancel_lines("req-4", ("sku-1", 2))

    message = messages.partial_cancellation(order, request, {"sku-1": 2}, to_card, to_credit)

    assert said in message.body
    assert "not be charged" not in message.body


@pytest.mark.parametrize(
    ("amount_minor", "shown"),
    [(1999, "19.99 EUR"), (5, "0.05 EUR"), (100, "1.00 EUR"), (123456, "1234.56 EUR")],
    ids=["1999", "5", "100", "123456"],
)
def test_the_cancellation_states_the_refund_from_minor_units(amount_minor, shown):
    order = _refunded_order(amount_minor)

    message = messages.cancellation(order, cancel_request())

    assert f"We refunded {shown} to your original payment method." in message.body


def test_a_cancellation_before_capture_says_the_hold_was_released():
    order = cancelled_at(Stage.CONFIRMED)

    message = messages.cancellation(order, cancel_request())

    assert "hold on your card has been released" in message.body
    assert "refunded" not in message.body


def test_a_cancellation_refunded_to_store_credit_says_so():
    order = order_at(Stage.CAPTURED)
    request = cancel_request(refund_to=RefundDestination.STORE_CREDIT)
    carry_out(order, answer(order, request), at(20))

    message = messages.cancellation(order, request)

    assert "We added 24.99 EUR to your store credit." in message.body
    assert "original payment method" not in message.body


def test_a_cancellation_refunded_partly_to_the_card_and_partly_as_credit_says_both():
    order = order_at(Stage.CAPTURED)
    carry_out(order, answer(order, cancel_lines("req-1", ("sku-1", 1))), at(20))
    last = cancel_request("req-2", refund_to=RefundDestination.STORE_CREDIT)
    carry_out(order, answer(order, last), at(21))

    message = messages.cancellation(order, last)

    assert message.body.endswith(
        "We refunded 10.00 EUR to your original payment method and added 14.99 EUR to your store credit."
    )


def test_a_cancellation_before_payment_says_nothing_was_charged():
    order = cancelled_at(Stage.PLACED)

    message = messages.cancellation(order, cancel_request())

    assert "You were not charged." in message.body


@pytest.mark.parametrize("reason", list(CancelReason), ids=lambda reason: reason.value)
def test_the_cancellation_says_why_for_every_reason(reason):
    order = cancelling_at(Stage.PLACED)

    message = messages.cancellation(order, cancel_request(reason=reason))

    assert message.body.startswith("Your order ord-1 was cancelled because ")
    assert "None" not in message.body


def test_the_confirmation_lists_the_items_and_the_total():
    order = order_at(Stage.CONFIRMED, place_order(lines=2, quantity=3, unit_price_minor=1000, shipping_fee_minor=499))

    message = messages.confirmation(order)

    assert message.key == "ord-1:confirmation"
    assert "- 3 x sku-1\n- 3 x sku-2" in message.body
    assert "Total: 64.99 EUR." in message.body


def test_the_rejection_repeats_the_outcomes_sentence():
    order = order_at(Stage.DELIVERED)
    outcome = decide(order, cancel_request("req-9"), POLICY, IN_WINDOW).outcome

    message = messages.rejection(order, outcome)

    assert message.key == "ord-1:rejection:req-9"
    assert message.body == outcome.message
    assert "return it" in message.body
