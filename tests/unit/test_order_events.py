"""Which facts of an order its subscribers are told, under which ids, and what each event says."""

from domain.order_events import OrderEvent, OrderEventType, event_index, events_since
from domain.requests import ResolutionAction
from tests.unit.factories import (
    AFTER_WINDOW,
    Stage,
    answer,
    at,
    cancel_lines,
    cancel_request,
    cancelled_at,
    carry_out,
    order_at,
)


def types(order_events: list[OrderEvent]) -> list[OrderEventType]:
    return [event.type for event in order_events]


def test_a_completed_order_tells_its_confirmation_and_its_completion_only() -> None:
    order = order_at(Stage.COMPLETED)

    told = events_since(order, 0)

    assert types(told) == [OrderEventType.CONFIRMED, OrderEventType.COMPLETED]


def test_an_event_id_is_the_order_id_and_the_place_of_its_fact_in_the_timeline() -> None:
    order = order_at(Stage.CONFIRMED)

    (confirmed,) = events_since(order, 0)

    assert confirmed.id == f"{order.order_id}:{len(order.timeline) - 1}"
    assert event_index(confirmed) == len(order.timeline) - 1
    assert order.timeline[event_index(confirmed)].event == "CONFIRMED"
    assert confirmed.at == order.timeline[event_index(confirmed)].at


def test_reading_from_a_cursor_tells_only_what_came_after_it_and_ids_do_not_change() -> None:
    order = order_at(Stage.CONFIRMED)
    first = events_since(order, 0)
    cursor = len(order.timeline)

    carry_out(order, answer(order, cancel_request("in-window")), at(20))

    assert types(events_since(order, cursor)) == [OrderEventType.CANCELLED]
    assert events_since(order, 0)[0].id == first[0].id


def test_a_request_waiting_for_review_is_not_an_event_yet() -> None:
    order = order_at(Stage.CONFIRMED)
    cursor = len(order.timeline)

    answer(order, cancel_request("after-window"), AFTER_WINDOW)

    assert order.open_request is not None
    assert events_since(order, cursor) == []


def test_a_cancelled_order_tells_its_reason_and_a_refund_settling() -> None:
    order = cancelled_at(Stage.CAPTURED)

    told = events_since(order, 0)

    assert types(told) == [OrderEventType.CONFIRMED, OrderEventType.REFUND_SETTLED, OrderEventType.CANCELLED]
    assert told[1].data["refund_succeeded"] is True
    assert told[2].data["cancellation_reason"] == "CUSTOMER"
    assert told[2].data["status"] == "CANCELLED"


def test_a_rejected_request_is_told_with_its_answer() -> None:
    order = order_at(Stage.DELIVERED)

    answer(order, cancel_request("too-late"), at(60 * 24 * 5))

    rejected = events_since(order, 0)[-1]
    assert rejected.type is OrderEventType.CANCELLATION_REJECTED
    assert rejected.data["cancellation"]["request_id"] == "too-late"
    assert rejected.data["cancellation"]["reason_code"] == "ALREADY_DELIVERED"


def test_a_partial_cancellation_is_told_with_the_lines_left() -> None:
    order = order_at(Stage.CONFIRMED)

    answer(order, cancel_lines("one-line", ("sku-1", 1)))

    partial = events_since(order, 0)[-1]
    assert partial.type is OrderEventType.PARTIALLY_CANCELLED
    assert {line["sku"]: line["cancelled_quantity"] for line in partial.data["lines"]} == {"sku-1": 1, "sku-2": 0}


def test_an_order_that_needs_a_person_says_what_they_must_do() -> None:
    order = order_at(Stage.CONFIRMED)

    order.record_attention("capture keeps failing", "CAPTURE", [ResolutionAction.RETRY], at(70))

    attention = events_since(order, 0)[-1]
    assert attention.type is OrderEventType.NEEDS_ATTENTION
    assert attention.data["attention"]["step"] == "CAPTURE"
    assert attention.data["attention"]["actions"] == ["RETRY"]


def test_no_event_carries_the_customers_email() -> None:
    order = cancelled_at(Stage.LABEL_BOUGHT)

    bodies = [event.model_dump_json() for event in events_since(order, 0)]

    assert bodies
    assert not any(order.customer_email in body for body in bodies)
