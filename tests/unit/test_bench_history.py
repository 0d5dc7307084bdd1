"""The benchmark's accounting of what a run costs in Temporal, checked on a recorded order's history."""

import json
from collections import Counter
from pathlib import Path

from temporalio.client import WorkflowHistory

from starter.bench_history import cost

HAPPY_PATH = Path(__file__).parents[1] / "replay" / "histories" / "happy_path.json"


def recorded() -> tuple[WorkflowHistory, list[dict[str, object]]]:
    text = HAPPY_PATH.read_text()
    return WorkflowHistory.from_json("order-happy", text), json.loads(text)["events"]


def test_events_activities_timers_and_signals_are_counted_from_the_history() -> None:
    history, events = recorded()
    kinds = Counter(str(event["eventType"]) for event in events)

    run = cost(history)

    assert run.events == len(events)
    assert run.activities == kinds["EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"]
    assert run.timers == kinds["EVENT_TYPE_TIMER_STARTED"]
    assert run.signals == kinds["EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED"]
    assert run.workflow_tasks == kinds["EVENT_TYPE_WORKFLOW_TASK_COMPLETED"]


def test_actions_leave_out_the_upserts_that_only_record_patches() -> None:
    history, events = recorded()
    upserts = [e for e in events if e["eventType"] == "EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES"]
    fields = [set(e["upsertWorkflowSearchAttributesEventAttributes"]["searchAttributes"]["indexedFields"]) for e in upserts]
    patch_only = [names for names in fields if names == {"TemporalChangeVersion"}]

    run = cost(history)

    assert patch_only, "the recorded order used a patch: its upsert is the case under test"
    billed = run.activities + run.timers + run.signals + run.updates + len(upserts) - len(patch_only) + 1
    assert run.actions == billed


def test_payload_bytes_count_the_order_the_workflow_was_given() -> None:
    history, _ = recorded()

    started = history.events[0].workflow_execution_started_event_attributes.input.payloads[0]

    assert cost(history).payload_bytes > started.ByteSize() > 0
