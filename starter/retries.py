"""Which of an order's steps needed retries, read from its workflow history (no workflow change needed):
an activity's ActivityTaskStarted event carries the attempt that ended it, and a pending one its attempt so far."""

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

_ENDINGS = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "succeeded",
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "failed",
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "timed out",
    EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "cancelled",
}


@dataclass(frozen=True)
class RetriedStep:
    """An activity that took more than one attempt: how it ended (or "still trying") and on which attempt."""

    activity: str
    ended: str
    attempt: int
    last_failure: str = ""

    def __str__(self) -> str:
        if self.ended == "still trying":
            failure = f" (last: {self.last_failure})" if self.last_failure else ""
            return f"{self.activity}: still trying, attempt {self.attempt}{failure}"
        return f"{self.activity}: {self.ended} on attempt {self.attempt}"


def retried_steps(events: Iterable[HistoryEvent]) -> list[RetriedStep]:
    """The activities of a history that ended on an attempt after the first, in the order they were scheduled."""
    scheduled: dict[int, str] = {}
    attempts: dict[int, int] = {}
    steps: list[RetriedStep] = []
    for event in events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[event.event_id] = event.activity_task_scheduled_event_attributes.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            attempts[started.scheduled_event_id] = started.attempt
        elif (ended := _ENDINGS.get(event.event_type)) is not None:
            scheduled_id = _scheduled_id(event)
            if attempts.get(scheduled_id, 1) > 1:
                steps.append(RetriedStep(scheduled.get(scheduled_id, "?"), ended, attempts[scheduled_id]))
    return steps


def _scheduled_id(event: HistoryEvent) -> int:
    for attributes in (
        event.activity_task_completed_event_attributes,
        event.activity_task_failed_event_attributes,
        event.activity_task_timed_out_event_attributes,
        event.activity_task_canceled_event_attributes,
    ):
        if attributes.scheduled_event_id:
            return attributes.scheduled_event_id
    return 0


async def fetch_retried_steps(client: Client, workflow_id: str) -> list[RetriedStep]:
    """The current run's retried steps, ended ones from its history, then those still retrying."""
    handle = client.get_workflow_handle(workflow_id)
    steps = retried_steps((await handle.fetch_history()).events)
    for pending in (await handle.describe()).raw_description.pending_activities:
        if pending.attempt > 1:
            steps.append(RetriedStep(pending.activity_type.name, "still trying", pending.attempt, pending.last_failure.message))
    return steps


def render_retried(steps: list[RetriedStep]) -> Text:
    """One line per step, e.g. `capture_payment: succeeded on attempt 3`; nothing when no step was retried."""
    lines = [f"  {step}" for step in steps]
    return Text("\n".join(["steps that needed retries:", *lines]) if steps else "", style="yellow")
