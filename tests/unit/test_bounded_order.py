"""An order's state stays bounded however many messages a client sends it."""

import pytest
from pydantic import TypeAdapter

from domain.cancellation import MOST_REQUESTS, TooManyRequests, check_request
from domain.placement import PlaceOrder
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.unit.factories import AFTER_WINDOW, Stage, answer, at, cancel_request, carry_out, order_at, place_order
from workflows.continuation import Continued, Rest


def cancelled_with_requests(count: int):
    order = order_at(Stage.CONFIRMED)
    carry_out(order, answer(order, cancel_request("first")), at(11))
    for n in range(1, count):
        answer(order, cancel_request(f"late-{n}"), AFTER_WINDOW)
    return order


def test_an_order_takes_new_requests_up_to_the_most_one_order_takes() -> None:
    order = cancelled_with_requests(MOST_REQUESTS - 1)

    check_request(order, cancel_request("one-more"))
    with pytest.raises(TooManyRequests, match=f"taken {MOST_REQUESTS} cancellation requests"):
        check_request(order, cancel_request("one-more"), [cancel_request("waiting")])


def test_past_the_most_a_repeat_is_still_answered_and_a_new_request_refused() -> None:
    order = cancelled_with_requests(MOST_REQUESTS)

    check_request(order, cancel_request("late-7"))
    with pytest.raises(TooManyRequests):
        check_request(order, cancel_request("new"))


def test_the_same_stray_scan_again_and_again_is_one_entry_counted() -> None:
    order = order_at(Stage.CONFIRMED)
    before = len(order.timeline)

    for _ in range(50):
        order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.IN_TRANSIT), AFTER_WINDOW)
    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.OUT_FOR_DELIVERY), AFTER_WINDOW)
    order.record_shipment_event(ShipmentEvent(type=ShipmentEventType.IN_TRANSIT), AFTER_WINDOW)

    added = order.timeline[before:]
    assert [(e.detail.split()[0], e.times) for e in added] == [("IN_TRANSIT", 50), ("OUT_FOR_DELIVERY", 1), ("IN_TRANSIT", 1)]


def test_a_runs_input_decodes_as_the_placement_a_client_sent_or_as_an_earlier_runs_hand_over() -> None:
    order = cancelled_with_requests(3)
    inputs = TypeAdapter(PlaceOrder | Continued)
    placed = place_order()
    handed_over = Continued(command=placed, order=order, rest=Rest.ENDED, deadline=AFTER_WINDOW)

    assert inputs.validate_json(placed.model_dump_json()) == placed
    assert inputs.validate_json(handed_over.model_dump_json()) == handed_over
