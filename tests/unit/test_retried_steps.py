"""Which steps needed retries, read from a workflow history: the attempt an activity's Started event carries."""

from typing import Any

from temporalio.api.common.v1 import ActivityType
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import (
    ActivityTaskCompletedEventAttributes,
    ActivityTaskFailedEventAttributes,
    ActivityTaskScheduledEventAttributes,
    ActivityTaskStartedEventAttributes,
    HistoryEvent,
)

from starter.retries import RetriedStep, render_retried, retried_steps

# Each kind of attributes, with the event type and the HistoryEvent field that carry it.
_KINDS = {
    ActivityTaskScheduledEventAttributes: (EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, "activity_task_scheduled"),
    ActivityTaskStartedEventAttributes: (EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, "activity_task_started"),
    ActivityTaskCompletedEventAttributes: (EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, "activity_task_completed"),
    ActivityTaskFailedEventAttributes: (EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, "activity_task_failed"),
}


def event(event_id: int, attributes: Any) -> HistoryEvent:
    event_type, field = _KINDS[type(attributes)]
    return HistoryEvent(event_id=event_id, event_type=event_type, **{f"{field}_event_attributes": attributes})


def scheduled(event_id: int, activity: str) -> HistoryEvent:
    return event(event_id, ActivityTaskScheduledEventAttributes(activity_type=ActivityType(name=activity)))


def started(event_id: int, scheduled_id: int, attempt: int) -> HistoryEvent:
    return event(event_id, ActivityTaskStartedEventAttributes(scheduled_event_id=scheduled_id, attempt=attempt))


def completed(event_id: int, scheduled_id: int) -> HistoryEvent:
    return event(event_id, ActivityTaskCompletedEventAttributes(scheduled_event_id=scheduled_id))


def failed(event_id: int, scheduled_id: int) -> HistoryEvent:
    return event(event_id, ActivityTaskFailedEventAttributes(scheduled_event_id=scheduled_id))


HISTORY = [
    scheduled(5, "authorize_payment"), started(6, 5, 1), completed(7, 5),
    scheduled(11, "capture_payment"), started(12, 11, 3), completed(13, 11),
    scheduled(17, "create_shipment"), started(18, 17, 4), failed(19, 17),
    scheduled(23, "send_message"),  # still running: no Started event yet
]


def test_only_steps_that_ended_after_their_first_attempt_are_listed_in_schedule_order() -> None:
    assert retried_steps(HISTORY) == [
        RetriedStep("capture_payment", "succeeded", 3),
        RetriedStep("create_shipment", "failed", 4),
    ]


def test_a_history_without_retries_lists_nothing_and_shows_nothing() -> None:
    assert retried_steps(HISTORY[:3]) == []
    assert render_retried([]).plain == ""


def test_each_step_reads_as_one_line() -> None:
    steps = [RetriedStep("capture_payment", "succeeded", 3), RetriedStep("send_message", "still trying", 2, "421 busy")]

    assert render_retried(steps).plain.splitlines() == [
        "steps that needed retries:",
        "  capture_payment: succeeded on attempt 3",
        "  send_message: still trying, attempt 2 (last: 421 busy)",
    ]
