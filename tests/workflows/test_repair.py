"""`orders repair`: an order whose history the workers' code cannot replay is reset to do again the
first workflow task that does not replay, and goes on from there with every signal it had."""

import uuid
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from starter.repair import diverging_task, repair, stuck_orders, unreplayable_orders
from tests.replay.test_replay import recorded
from tests.waiting import until
from tests.workflows.repair_probes import AsDeployed, AsItRan
from workflows.order import OrderWorkflow

DIVERGED = Path(__file__).parents[1] / "replay" / "diverged"


async def stuck(client: Client, workflow_id: str) -> bool:
    return workflow_id in await stuck_orders(client, ["RepairProbe"])


async def test_a_stuck_run_is_reset_to_redo_the_task_that_does_not_replay_and_keeps_its_signals(
    local_env: WorkflowEnvironment,
) -> None:
    client, queue, workflow_id = local_env.client, f"repair-{uuid.uuid4().hex[:8]}", f"probe-{uuid.uuid4().hex[:8]}"
    # No cache, so no sticky queue: the next task goes to the next worker at once.
    async with Worker(client, task_queue=queue, workflows=[AsItRan], max_cached_workflows=0):
        handle = await client.start_workflow("RepairProbe", id=workflow_id, task_queue=queue, result_type=list[str])
        await handle.signal("note", "go")
        await until(lambda: timer_started(handle), what="the timer the old code starts")
    async with Worker(client, task_queue=queue, workflows=[AsDeployed]):
        await handle.signal("note", "poke")
        await until(lambda: stuck(client, workflow_id), what="the run listed as stuck on nondeterminism")

        done = await repair(client, workflow_id, workflows=[AsDeployed])

        assert "Nondeterminism" in done.problem and done.new_run_id is not None
        # "go" is kept, as it came before the task done again; "poke" came after, and is applied again.
        assert await client.get_workflow_handle(workflow_id).result() == ["go", "poke"]
        again = await repair(client, workflow_id, workflows=[AsDeployed])
    assert done.reset_to == await completion_with_timer(client, workflow_id, done.run_id)
    assert again.problem == "" and again.new_run_id is None


async def test_a_waiting_run_that_does_not_replay_is_found_by_a_query_before_any_task_fails(
    local_env: WorkflowEnvironment,
) -> None:
    client, queue, workflow_id = local_env.client, f"repair-{uuid.uuid4().hex[:8]}", f"probe-{uuid.uuid4().hex[:8]}"
    async with Worker(client, task_queue=queue, workflows=[AsItRan], max_cached_workflows=0):
        handle = await client.start_workflow("RepairProbe", id=workflow_id, task_queue=queue, result_type=list[str])
        await handle.signal("note", "go")
        await until(lambda: timer_started(handle), what="the timer the old code starts")
    async with Worker(client, task_queue=queue, workflows=[AsDeployed]):
        found = await unreplayable_orders(client, "RepairProbe")
        flagged = await stuck_orders(client, ["RepairProbe"])
        where = await repair(client, workflow_id, workflows=[AsDeployed], dry_run=True)
    await handle.terminate("test done")

    assert workflow_id in found and workflow_id not in flagged  # it waits: no task has failed
    assert where.reset_to == await completion_with_timer(client, workflow_id, where.run_id) and where.new_run_id is None


async def timer_started(handle: WorkflowHandle) -> bool:
    events = [event async for event in handle.fetch_history_events()]
    return any(event.HasField("timer_started_event_attributes") for event in events)


async def completion_with_timer(client: Client, workflow_id: str, run_id: str) -> int:
    """The WorkflowTaskCompleted event whose commands started the old code's timer."""
    events = [event async for event in client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history_events()]
    timer = next(i for i, event in enumerate(events) if event.HasField("timer_started_event_attributes"))
    return max(e.event_id for e in events[:timer] if e.HasField("workflow_task_completed_event_attributes"))


class Replaying:
    data_converter = pydantic_data_converter


@pytest.mark.parametrize(
    ("name", "redo"), [("scans_in_two_activations", 53), ("scans_beside_a_step_result", 49)]
)
async def test_the_chaos_runs_stuck_orders_are_redone_from_the_task_that_applied_scans_out_of_turn(name: str, redo: int) -> None:
    """Histories from the 1,000-order chaos run: a worker emitted commands as if two scans came in two
    activations, where a replay delivers them in one (see starter/repair.py)."""
    history = recorded(DIVERGED / f"{name}.json")

    reset_to, problem = await diverging_task(Replaying, history, [OrderWorkflow])  # type: ignore[arg-type]

    assert reset_to == redo and "Nondeterminism" in problem
