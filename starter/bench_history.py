"""What one workflow run costs in Temporal: its history events, payload bytes and Temporal Cloud actions."""

from collections import Counter
from dataclasses import dataclass

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

# Upserts of only this attribute (the SDK records patches in it) are not billed.
CHANGE_VERSION = "TemporalChangeVersion"

# History events that are Temporal Cloud actions, one each (the docs' "Temporal Cloud Actions"):
# a start, each activity attempt, each timer, each signal and update received, each upsert of search
# attributes. Queries are actions too but leave no event; the bench sends none while it measures.
_ACTIONS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
}


@dataclass(frozen=True)
class RunCost:
    events: int
    workflow_tasks: int
    activities: int
    timers: int
    signals: int
    updates: int
    upserts: int
    payload_bytes: int
    actions: int


def payload_bytes(message: Message) -> int:
    """Bytes of every Payload inside a history event (inputs, results, search attributes, ...)."""
    if isinstance(message, Payload):
        return message.ByteSize()
    total = 0
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if isinstance(value, Message):
            total += payload_bytes(value)
        elif hasattr(value, "values"):  # a map
            total += sum(payload_bytes(entry) for entry in value.values() if isinstance(entry, Message))
        else:  # a repeated field
            total += sum(payload_bytes(item) for item in value)
    return total


def _billed_upsert(event: HistoryEvent) -> bool:
    fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
    return set(fields) != {CHANGE_VERSION}


def cost(history: WorkflowHistory) -> RunCost:
    kinds = Counter(event.event_type for event in history.events)
    # A retried activity has one STARTED event, carrying the number of its last attempt.
    attempts = sum(
        max(1, event.activity_task_started_event_attributes.attempt)
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    )
    upserts = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES]
    billed_upserts = sum(1 for event in upserts if _billed_upsert(event))
    return RunCost(
        events=len(history.events),
        workflow_tasks=kinds[EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED],
        activities=kinds[EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
        timers=kinds[EventType.EVENT_TYPE_TIMER_STARTED],
        signals=kinds[EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED],
        updates=kinds[EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED],
        upserts=len(upserts),
        payload_bytes=sum(payload_bytes(event) for event in history.events),
        actions=sum(kinds[kind] for kind in _ACTIONS) + attempts + billed_upserts,
    )
