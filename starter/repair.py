"""Repairing orders stuck on a nondeterminism error: reset each to do again the first workflow
task the current code does not replay, so the order goes on from there.

An order is stuck when a worker cannot replay its history: every new workflow task fails the
same way, and the order waits forever. A deploy that changed workflow code without a patch does
that. So did two orders of a chaos run (README, "Load and chaos"; tests/replay/diverged/): after a
worker was killed, the worker that took over emitted commands as if two scans had come in two
activations, where a replay delivers them in one, so the next worker could not replay it.

A reset starts a new run that does a chosen workflow task of the old one again, keeping the
history before it and applying again the signals and updates that came after (Temporal's
default). Resetting to an earlier task would be wrong: a scan the carrier sent while the label
was being bought would be applied again before the label exists, and be ignored. The steps
done after that point run again under the same idempotency keys, so the third parties answer
for what they already did: no cent, unit or message twice.
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHistory, WorkflowQueryFailedError
from temporalio.service import RPCError
from temporalio.worker import Replayer

from runtime.workflow_runner import workflow_runner
from starter.client import NONDETERMINISM
from workflows.order import OrderWorkflow
from workflows.order_events import OrderEventsWorkflow

QUERY_TIMEOUT = timedelta(seconds=10)
Workflows = Sequence[type]  # the workflow code to replay with: the code the workers run
OURS: Workflows = (OrderWorkflow, OrderEventsWorkflow)
OUR_TYPES = tuple(workflow.__name__ for workflow in OURS)  # each is registered under its class name

# The running orders whose workflow task failed so (Temporal sets the system search attribute).
STUCK = (
    "ExecutionStatus = 'Running'"
    " AND TemporalReportedProblems IN ('cause=WorkflowTaskFailedCauseNonDeterministicError')"
)


@dataclass(frozen=True)
class Repair:
    workflow_id: str
    run_id: str
    reset_to: int | None  # the completion of the task the new run does again; None: nothing to repair
    problem: str
    new_run_id: str | None = None


async def stuck_orders(client: Client, types: Sequence[str] = OUR_TYPES) -> list[str]:
    """The ids of our workflows (orders and their event deliveries) whose last workflow task failed on nondeterminism."""
    named = ", ".join(f"'{name}'" for name in types)
    query = f"WorkflowType IN ({named}) AND {STUCK}"
    return [execution.id async for execution in client.list_workflows(query)]


async def unreplayable_orders(client: Client, workflow_type: str = "OrderWorkflow") -> list[str]:
    """The running orders whose `status` query a worker cannot answer for nondeterminism. An order
    that waits (for a scan, a timer days away) has no workflow task to fail, so Temporal does not
    flag it (stuck_orders); a query replays its history and finds it. One query per running order."""
    found = []
    async for execution in client.list_workflows(f"WorkflowType = '{workflow_type}' AND ExecutionStatus = 'Running'"):
        try:
            await client.get_workflow_handle(execution.id).query("status", rpc_timeout=QUERY_TIMEOUT)
        except WorkflowQueryFailedError as error:
            if NONDETERMINISM in str(error):
                found.append(execution.id)
        except RPCError as error:
            # A task failed already ("Workflow Task in failed state"): repair() replays it and decides.
            # Any other refusal (a worker too busy to answer in time) is asked again next round.
            if "failed state" in error.message:
                found.append(execution.id)
    return found


async def diverging_task(client: Client, history: WorkflowHistory, workflows: Workflows) -> tuple[int | None, str]:
    """The completion event of the first workflow task whose commands the current code does not
    emit again, and the replay failure; (None, "") when the whole history replays."""
    # Replayed as the workers run it: the same sandbox, with our packages passed through.
    replayer = Replayer(workflows=workflows, data_converter=client.data_converter, workflow_runner=workflow_runner())

    async def failure(events: list) -> str:
        replayed = await replayer.replay_workflow(WorkflowHistory(history.workflow_id, events), raise_on_replay_failure=False)
        return "" if replayed.replay_failure is None else str(replayed.replay_failure)

    events = list(history.events)
    problem = await failure(events)
    if not problem:
        return None, ""
    completions = [i for i, event in enumerate(events) if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]
    # Task k's prefix holds its commands and what arrived before the next task started; once a
    # prefix fails, every longer one does, so the first failing task is found by bisection.
    good, bad = -1, len(completions) - 1  # the task at `good` replays (-1: none yet); the one at `bad` does not
    while bad - good > 1:
        middle = (good + bad) // 2
        if await failure(events[: _end_of_task(events, completions[middle])]):
            bad = middle
        else:
            good = middle
    return events[completions[bad]].event_id, problem


def _end_of_task(events: list, completed: int) -> int:
    """The index just past the events that follow the task completed at `completed`, up to the next task's start."""
    for index in range(completed + 1, len(events)):
        if events[index].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            return index
    return len(events)


async def repair(
    client: Client, workflow_id: str, *, dry_run: bool = False, workflows: Workflows = OURS
) -> Repair:
    """Find the first workflow task of the order's current run that the current code does not
    replay, and reset the run to do that task again (unless `dry_run`): the new run keeps every
    event before the task started, so the task sees at once all that had arrived by then, as a
    replay does. Resetting the same run at the same point twice is one reset (the request id is
    derived from both)."""
    handle = client.get_workflow_handle(workflow_id)
    run_id = (await handle.describe()).run_id
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    reset_to, problem = await diverging_task(client, history, workflows)
    found = Repair(workflow_id, run_id, reset_to, _told(problem))
    if reset_to is None or dry_run:
        return found
    reset = await client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
            reason=f"orders repair: the task completed at event {reset_to} does not replay: {found.problem}"[:1000],
            workflow_task_finish_event_id=reset_to,
            request_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"orders-repair:{workflow_id}:{run_id}:{reset_to}")),
        )
    )
    return Repair(workflow_id, run_id, reset_to, found.problem, reset.run_id)


def _told(failure: str) -> str:
    """The core's message from a replay failure (which wraps it in a Debug dump of the failure)."""
    message = re.search(r'message: "((?:[^"\\]|\\.)*)"', failure)
    return message.group(1) if message else failure.splitlines()[0] if failure else ""
