"""The cancellation rules: what a request gets at each stage, and exactly what is undone."""

import pytest
from pydantic import ValidationError

from domain.cancellation import (
    Compensation,
    RequestIdReused,
    Step,
    check_request,
    decide,
    notifies_customer,
)
from domain.lifecycle import StockState
from domain.requests import (
    SYSTEM_REQUEST_IDS,
    CancellationRequest,
    InvalidMessage,
    ReasonCode,
    RefundDestination,
    Suggestion,
    Verdict,
    parse,
    request_from_wire,
)
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
    order_at,
    place_order,
)

# --- the request ------------------------------------------------------------------------


VALID = {"request_id": "r-1", "reason": "CUSTOMER"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({**VALID, "reason": "BORED"}, "Input should be 'CUSTOMER'", id="unknown reason"),
        pytest.param({"reason": "CUSTOMER"}, "Field required", id="missing request_id"),
        pytest.param({**VALID, "request_id": ""}, "at least 1 character", id="empty request_id"),
        pytest.param({**VALID, "request_id": "   "}, "printable ASCII without spaces", id="blank request_id"),
        pytest.param({**VALID, "request_id": "r 1"}, "printable ASCII without spaces", id="request_id with a space"),
        pytest.param({**VALID, "request_id": "annulation-été"}, "printable ASCII", id="request_id not ASCII"),
        pytest.param({**VALID, "request_id": "r\t1"}, "printable ASCII", id="request_id with a tab"),
        pytest.param({**VALID, "coupon": "FREE"}, "Extra inputs are not permitted", id="unknown field"),
        pytest.param(
            {**VALID, "refund_to": "store_credit"},
            "Input should be 'ORIGINAL' or 'STORE_CREDIT'",
            id="unknown refund destination",
        ),
        pytest.param({**VALID, "lines": []}, "at least 1 item", id="no lines"),
        pytest.param(
            {**VALID, "lines": [{"sku": "sku-1", "quantity": 0}]}, "line sku-1: quantity must be at least 1, not 0",
            id="zero quantity",
        ),
        pytest.param(
            {**VALID, "lines": [{"sku": "sku-1", "quantity": -2}]}, "line sku-1: quantity must be at least 1, not -2",
            id="negative quantity",
        ),
        pytest.param({**VALID, "lines": [{"sku": "", "quantity": 1}]}, "at least 1 character", id="empty sku"),
        pytest.param({**VALID, "requested_by": "robot"}, "Input should be 'customer'", id="unknown requester"),
    ],
)
def test_a_bad_cancellation_request_is_rejected_with_a_message(fields, message):
    with pytest.raises(ValidationError) as raised:
        CancellationRequest.model_validate(fields)

    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        pytest.param({"request_id": "r-1", "reason": "BORED"}, "reason: Input should be", id="unknown reason"),
        pytest.param({"reason": "CUSTOMER"}, "request_id: Field required", id="missing request_id"),
        pytest.param({"request_id": " ", "reason": "CUSTOMER"}, "request_id: request_id must be", id="blank request_id"),
        pytest.param({"request_id": "r-1", "reason": "CUSTOMER", "x": 1}, "x: Extra inputs", id="unknown field"),
        pytest.param(
            {"request_id": "r-1", "reason": "CUSTOMER", "lines": [{"sku": "sku-1", "quantity": 0}]},
            "lines.0: line sku-1: quantity must be at least 1, not 0",
            id="zero quantity on a line",
        ),
        pytest.param("cancel please", "expected a JSON object of its fields, not a string", id="not an object"),
    ],
)
def test_a_request_from_the_wire_is_refused_with_one_sentence_naming_the_field(raw, named):
    with pytest.raises(InvalidMessage) as raised:
        parse(CancellationRequest, raw)

    assert str(raised.value).startswith("invalid cancellation request: ")
    assert named in str(raised.value)


def test_a_line_that_fails_is_not_also_reported_as_a_missing_list_of_lines():
    with pytest.raises(InvalidMessage) as raised:
        parse(CancellationRequest, {**VALID, "lines": [{"sku": "sku-1", "quantity": 0}]})

    assert str(raised.value) == "invalid cancellation request: lines.0: line sku-1: quantity must be at least 1, not 0"


@pytest.mark.parametrize("request_id", sorted(SYSTEM_REQUEST_IDS))
def test_another_system_may_not_use_the_ids_of_the_orders_own_requests(request_id):
    with pytest.raises(InvalidMessage, match="reserved for the order's own requests"):
        request_from_wire({**VALID, "request_id": request_id})


def test_a_request_from_the_wire_names_every_wrong_field():
    with pytest.raises(InvalidMessage) as raised:
        parse(CancellationRequest, {"request_id": "", "reason": "BORED"})

    assert "request_id:" in str(raised.value) and "reason:" in str(raised.value)


def test_a_valid_request_from_the_wire_is_parsed_and_a_parsed_one_passes_through():
    request = cancel_request("r-1", restock=False)

    from_wire = parse(CancellationRequest, {"request_id": "r-1", "reason": "CUSTOMER", "restock": False})

    assert from_wire == request
    assert parse(CancellationRequest, request) is request


def test_a_request_defaults_to_a_customer_asking_for_everything_back_on_the_card_restocked_and_told():
    request = CancellationRequest(request_id="r-1", reason="CUSTOMER")

    assert (request.requested_by, request.restock, request.notify_customer) == ("customer", True, True)
    assert request.lines is None
    assert request.refund_to is RefundDestination.ORIGINAL


def test_a_partial_request_from_the_wire_lists_its_lines():
    request = parse(
        CancellationRequest,
        {
            "request_id": "r-1",
            "reason": "CUSTOMER",
            "lines": [{"sku": "sku-1", "quantity": 2}],
            "refund_to": "STORE_CREDIT",
        },
    )

    assert request == cancel_lines("r-1", ("sku-1", 2), refund_to=RefundDestination.STORE_CREDIT)


# --- decide at every stage --------------------------------------------------------------

VOID_LABEL = Compensation(step=Step.VOID_LABEL)
REFUND_ALL = Compensation(step=Step.REFUND_PAYMENT, amount_minor=TOTAL, rest=True)
VOID_AUTHORIZATION = Compensation(step=Step.VOID_AUTHORIZATION)
RELEASE = Compensation(step=Step.RELEASE_STOCK, restock=True)


@pytest.mark.parametrize(
    ("stage", "compensations"),
    [
        pytest.param(Stage.PLACED, [], id="placed: nothing happened, nothing to undo"),
        pytest.param(Stage.AUTHORIZED, [VOID_AUTHORIZATION], id="authorized: void the hold"),
        pytest.param(Stage.RESERVED, [VOID_AUTHORIZATION, RELEASE], id="reserved: void the hold, release stock"),
        pytest.param(Stage.CONFIRMED, [VOID_AUTHORIZATION, RELEASE], id="confirmed: void the hold, release stock"),
        pytest.param(Stage.CAPTURED, [REFUND_ALL, RELEASE], id="captured: refund all, release stock"),
        pytest.param(
            Stage.LABEL_BOUGHT, [VOID_LABEL, REFUND_ALL, RELEASE], id="label bought: void label, refund, release"
        ),
    ],
)
def test_a_cancellation_before_pickup_is_accepted_and_undoes_exactly_what_happened(stage, compensations):
    order = order_at(stage)

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    assert decision.outcome.outcome is Verdict.ACCEPTED
    assert decision.accepted
    assert not decision.repeated
    assert decision.compensations == compensations
    assert decision.outcome.request_id == "req-1"
    assert order.order_id in decision.outcome.message


@pytest.mark.parametrize(
    ("make_order", "code", "suggestion"),
    [
        pytest.param(
            lambda: order_at(Stage.DELIVERED), ReasonCode.ALREADY_DELIVERED, Suggestion.RETURN, id="delivered"
        ),
        pytest.param(
            lambda: cancelling_at(Stage.CONFIRMED), ReasonCode.ALREADY_CANCELLED, None, id="cancelling"
        ),
        pytest.param(lambda: cancelled_at(Stage.LABEL_BOUGHT), ReasonCode.ALREADY_CANCELLED, None, id="cancelled"),
        pytest.param(lambda: order_at(Stage.COMPLETED), ReasonCode.ALREADY_COMPLETED, None, id="completed"),
    ],
)
def test_a_cancellation_after_delivery_or_at_the_end_is_rejected_with_nothing_to_undo(make_order, code, suggestion):
    order = make_order()

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    assert decision.outcome.outcome is Verdict.REJECTED
    assert not decision.accepted
    assert decision.outcome.reason_code is code
    assert decision.outcome.suggestion is suggestion
    assert decision.compensations == []
    assert order.order_id in decision.outcome.message


def test_cancel_after_capture_refunds_the_captured_amount():
    order = order_at(Stage.CAPTURED)

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    [refund] = [c for c in decision.compensations if c.step is Step.REFUND_PAYMENT]
    assert refund.amount_minor == order.captured_minor == TOTAL
    assert Step.VOID_AUTHORIZATION not in [c.step for c in decision.compensations]


def test_cancel_after_a_partial_refund_refunds_only_what_is_still_captured():
    order = order_at(Stage.CAPTURED)
    order.record_refund(500, at(10))

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    [refund] = [c for c in decision.compensations if c.step is Step.REFUND_PAYMENT]
    assert refund.amount_minor == TOTAL - 500


def test_a_captured_free_order_is_not_voided_as_if_its_hold_were_still_live():
    order = order_at(Stage.CAPTURED, place_order(lines=1, unit_price_minor=0, shipping_fee_minor=0))

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    assert Step.VOID_AUTHORIZATION not in [c.step for c in decision.compensations]


def test_a_label_already_voided_is_not_voided_again():
    order = order_at(Stage.LABEL_BOUGHT)
    order.record_label_void(at(10))

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    assert Step.VOID_LABEL not in [c.step for c in decision.compensations]


def test_stock_released_earlier_is_not_released_again():
    order = order_at(Stage.CONFIRMED)
    order.record_stock(StockState.RELEASED, at(10))

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    assert decision.compensations == [VOID_AUTHORIZATION]


@pytest.mark.parametrize("refund_to", list(RefundDestination), ids=lambda to: to.value)
def test_the_refund_carries_the_requests_refund_destination(refund_to):
    order = order_at(Stage.LABEL_BOUGHT)

    decision = decide(order, cancel_request(refund_to=refund_to), POLICY, IN_WINDOW)

    [refund] = [c for c in decision.compensations if c.step is Step.REFUND_PAYMENT]
    assert refund.refund_to is refund_to
    assert refund.amount_minor == TOTAL


def test_a_refund_still_pending_is_not_refunded_again():
    order = order_at(Stage.CAPTURED)
    order.record_refund_started(500, at(10), "refund re-1")

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    [refund] = [c for c in decision.compensations if c.step is Step.REFUND_PAYMENT]
    assert refund.amount_minor == TOTAL - 500


def test_a_failed_refund_is_owed_again():
    order = order_at(Stage.CAPTURED)
    order.record_refund_started(500, at(10), "refund re-1")
    order.record_refund_settled(500, False, at(11), "refund re-1 failed")

    decision = decide(order, cancel_request(), POLICY, IN_WINDOW)

    [refund] = [c for c in decision.compensations if c.step is Step.REFUND_PAYMENT]
    assert refund.amount_minor == TOTAL


@pytest.mark.parametrize("restock", [True, False], ids=["restock", "no restock"])
def test_the_stock_release_carries_the_requests_restock_flag(restock):
    order = order_at(Stage.CONFIRMED)

    decision = decide(order, cancel_request(restock=restock), POLICY, IN_WINDOW)

    [release] = [c for c in decision.compensations if c.step is Step.RELEASE_STOCK]
    assert release.restock is restock


# --- repeated requests ------------------------------------------------------------------


def test_a_repeated_request_gets_the_first_outcome_and_no_compensations():
    order = order_at(Stage.CONFIRMED)
    request = cancel_request("req-1")
    first = answer(order, request)

    again = decide(order, request, POLICY, IN_WINDOW)

    assert again.repeated
    assert not again.accepted
    assert again.outcome == first.outcome
    assert again.compensations == []


def test_a_repeated_request_gets_its_first_answer_even_after_the_order_moved_on():
    order = order_at(Stage.PICKED_UP)
    request = cancel_lines("req-1", ("sku-1", 1))
    answer(order, request)
    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.DELIVERED), at(11))

    again = decide(order, request, POLICY, IN_WINDOW)

    assert again.repeated
    assert again.outcome.reason_code is ReasonCode.ALREADY_SHIPPED


def test_a_new_request_after_an_accepted_one_is_told_the_order_is_already_cancelled():
    order = order_at(Stage.CONFIRMED)
    first = cancel_request("req-1")
    answer(order, first)

    second = decide(order, cancel_request("req-2"), POLICY, IN_WINDOW)

    assert second.outcome.reason_code is ReasonCode.ALREADY_CANCELLED
    assert second.compensations == []


def test_the_same_request_id_with_other_parameters_is_refused():
    order = order_at(Stage.CONFIRMED)
    request = cancel_request("req-1", restock=True)
    answer(order, request)

    with pytest.raises(RequestIdReused, match="req-1"):
        check_request(order, cancel_request("req-1", restock=False))


def test_an_identical_repeat_passes_the_request_id_check():
    order = order_at(Stage.CONFIRMED)
    request = cancel_request("req-1", note="customer called", requested_by="customer_service")
    answer(order, request)

    check_request(order, cancel_request("req-1", note="customer called", requested_by="customer_service"))


def test_an_unknown_request_id_passes_the_request_id_check():
    order = order_at(Stage.CONFIRMED)

    check_request(order, cancel_request("req-new"))


# --- telling the customer ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_order", "request_", "expected"),
    [
        pytest.param(lambda: order_at(Stage.PICKED_UP), cancel_request(), True, id="shipped: told of the recall"),
        pytest.param(
            lambda: order_at(Stage.PICKED_UP),
            cancel_lines("req-1", ("sku-1", 1)),
            True,
            id="partial after pickup: told",
        ),
        pytest.param(lambda: order_at(Stage.DELIVERED), cancel_request(), True, id="already delivered: told"),
        pytest.param(
            lambda: order_at(Stage.DELIVERED),
            cancel_request(notify_customer=False),
            False,
            id="already delivered, notify off: not told",
        ),
        pytest.param(
            lambda: order_at(Stage.CONFIRMED), cancel_request(), False, id="accepted: told later, once undone"
        ),
        pytest.param(lambda: cancelled_at(Stage.CONFIRMED), cancel_request(), False, id="already cancelled: not told"),
        pytest.param(
            lambda: order_at(Stage.CONFIRMED), cancel_lines("req-1", ("sku-9", 1)), False, id="invalid lines: not told"
        ),
    ],
)
def test_the_customer_is_told_at_once_only_of_outcomes_they_must_know_now(make_order, request_, expected):
    decision = decide(make_order(), request_, POLICY, IN_WINDOW)

    told = notifies_customer(request_, decision)

    assert told is expected


@pytest.mark.parametrize("stage", [Stage.CONFIRMED, Stage.PICKED_UP], ids=["after acceptance", "after rejection"])
def test_the_customer_is_never_told_twice_of_a_repeated_request(stage):
    order = order_at(stage)
    request = cancel_request("req-1")
    answer(order, request)

    told = notifies_customer(request, decide(order, request, POLICY, IN_WINDOW))

    assert told is False
