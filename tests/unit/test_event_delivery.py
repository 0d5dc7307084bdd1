"""How an order's events reach one subscriber: back-off, giving up after three days, resuming, order and dedupe."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.event_delivery import (
    FIRST_RETRY,
    GIVE_UP_AFTER,
    LONGEST_RETRY,
    Deliveries,
    SubscriberProgress,
    retry_delay,
    told,
)
from domain.order_events import OrderEvent, OrderEventType, event_id

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def event(index: int, order_id: str = "A1") -> OrderEvent:
    return OrderEvent(id=event_id(order_id, index), type=OrderEventType.CONFIRMED, order_id=order_id, at=T0, data={})


def test_the_wait_between_attempts_doubles_from_ten_seconds_up_to_an_hour() -> None:
    waits = [retry_delay(failures) for failures in range(1, 12)]

    assert waits[:4] == [FIRST_RETRY, 2 * FIRST_RETRY, 4 * FIRST_RETRY, 8 * FIRST_RETRY]
    assert waits[-1] == LONGEST_RETRY
    assert all(earlier <= later for earlier, later in zip(waits, waits[1:], strict=False))
    assert retry_delay(10_000) == LONGEST_RETRY


def test_a_retry_needs_a_failure_first() -> None:
    with pytest.raises(ValueError):
        retry_delay(0)


def test_a_failure_schedules_a_retry_and_a_success_clears_the_failing() -> None:
    progress = SubscriberProgress(name="erp")

    progress.failed(T0, "HTTP 503")
    progress.failed(T0 + FIRST_RETRY, "HTTP 503")

    assert progress.failing and not progress.dead
    assert progress.retry_at == T0 + FIRST_RETRY + 2 * FIRST_RETRY
    progress.succeeded()
    assert (progress.failing, progress.retry_at, progress.delivered, progress.failures) == (False, None, 1, 0)


def test_a_subscriber_failing_for_three_days_is_given_up_on_until_resumed() -> None:
    progress = SubscriberProgress(name="erp")
    progress.failed(T0, "HTTP 503")

    progress.failed(T0 + GIVE_UP_AFTER - timedelta(seconds=1), "HTTP 503")
    still_trying = not progress.dead
    progress.failed(T0 + GIVE_UP_AFTER, "HTTP 503")

    assert still_trying
    assert progress.dead and progress.retry_at is None and progress.last_error == "HTTP 503"
    progress.resume()
    assert not progress.dead and not progress.failing and progress.retry_at is None


def test_deliveries_take_each_subscriber_through_the_events_in_order() -> None:
    deliveries = Deliveries(order_id="A1", subscribers=[SubscriberProgress(name="a"), SubscriberProgress(name="b")])
    deliveries.add([event(3), event(7)], closed=False)
    a, b = deliveries.subscribers

    first = deliveries.next_for(a)
    a.succeeded()

    assert first is not None and first.id == "A1:3"
    assert (second := deliveries.next_for(a)) is not None and second.id == "A1:7"
    assert (behind := deliveries.next_for(b)) is not None and behind.id == "A1:3"


def test_events_sent_again_after_a_reset_of_the_order_are_dropped() -> None:
    deliveries = Deliveries(order_id="A1", subscribers=[SubscriberProgress(name="a")])
    deliveries.add([event(3), event(7)], closed=False)

    deliveries.add([event(3), event(7), event(9)], closed=False)

    assert [e.id for e in deliveries.events] == ["A1:3", "A1:7", "A1:9"]


def test_deliveries_finish_only_once_the_order_ended_and_every_subscriber_took_every_event() -> None:
    deliveries = Deliveries(order_id="A1", subscribers=[SubscriberProgress(name="a"), SubscriberProgress(name="b")])
    deliveries.add([event(3)], closed=False)
    for progress in deliveries.subscribers:
        progress.succeeded()
    all_taken_while_open = deliveries.finished

    deliveries.add([], closed=True)

    assert not all_taken_while_open
    assert deliveries.finished


def test_trimming_forgets_only_what_every_subscriber_took() -> None:
    deliveries = Deliveries(order_id="A1", subscribers=[SubscriberProgress(name="a"), SubscriberProgress(name="b")])
    deliveries.add([event(3), event(7), event(9)], closed=False)
    a, b = deliveries.subscribers
    a.succeeded(), a.succeeded(), b.succeeded()

    deliveries.trim()

    assert (deliveries.offset, [e.id for e in deliveries.events]) == (1, ["A1:7", "A1:9"])
    assert (n := deliveries.next_for(a)) is not None and n.id == "A1:9"
    assert (n := deliveries.next_for(b)) is not None and n.id == "A1:7"


def test_failing_names_the_subscribers_retrying_or_given_up_on() -> None:
    deliveries = Deliveries(order_id="A1", subscribers=[SubscriberProgress(name=n) for n in ("c", "a", "b")])
    deliveries.subscribers[0].failed(T0, "down")
    deliveries.subscribers[1].failed(T0 - GIVE_UP_AFTER, "down")
    deliveries.subscribers[1].failed(T0, "down")

    assert deliveries.failing() == ["a", "c"]


def test_resuming_tries_the_failing_and_given_up_subscribers_now_and_leaves_the_others() -> None:
    deliveries = Deliveries(order_id="A1", subscribers=[SubscriberProgress(name=n) for n in ("a", "b", "c")])
    deliveries.add([event(3)], closed=False)
    a, b, c = deliveries.subscribers
    a.failed(T0 - GIVE_UP_AFTER, "down"), a.failed(T0, "down")
    b.failed(T0, "down")
    c.succeeded()

    resumed = deliveries.resume_failing()

    assert resumed == ["a", "b"]
    assert deliveries.failing() == []
    assert all(p.retry_at is None and not p.dead for p in (a, b)) and c.delivered == 1


def test_operators_read_whether_a_subscriber_is_retried_or_given_up_since_when_and_why() -> None:
    retrying, given_up = SubscriberProgress(name="erp"), SubscriberProgress(name="crm")
    retrying.failed(T0, "erp: HTTP 503")
    given_up.failed(T0 - GIVE_UP_AFTER, "crm: no answer")
    given_up.failed(T0, "crm: no answer")

    assert told(retrying) == "erp retrying (1 failures) since 2026-12-05T09:00:00+00:00: erp: HTTP 503"
    assert told(given_up) == "crm gave up since 2026-12-02T09:00:00+00:00: crm: no answer"
