"""The bare-SDK baseline: a workflow with the same Temporal work as an order's path and no business logic.

A path is a list of moves: run a no-op activity, wait for a signal or for an update (each
behind a long timer that the wait cancels, as an order's deadlines are), and the workflow ends.
The benchmark compares OrderWorkflow with this on the same server, so the ratio is what our
orchestration costs on top of Temporal itself.
"""

from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

from temporalio import activity, workflow

# Passed through the workflow sandbox, as OrderWorkflow's imports are: re-importing them for every
# run would measure the sandbox, not the workflow.
with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from sandbox.instant import Milestones

DEADLINE = timedelta(days=3)


class Move(StrEnum):
    ACTIVITY = "ACTIVITY"
    SIGNAL = "SIGNAL"  # waits for the `scan` signal behind a timer
    UPDATE = "UPDATE"  # waits for the `cancel` update behind a timer


class BarePath(BaseModel):
    run_id: str
    moves: list[Move]


class BareStep(BaseModel):
    run_id: str
    number: int


class BareActivities:
    """One no-op activity; each call marks `step-N` for the driver, as the instant adapters mark milestones."""

    def __init__(self, milestones: Milestones) -> None:
        self._milestones = milestones

    @activity.defn(name="bare_step")
    async def step(self, step: BareStep) -> int:
        self._milestones.mark(step.run_id, f"step-{step.number}")
        return step.number


@workflow.defn(name="BareWorkflow")
class BareWorkflow:
    def __init__(self) -> None:
        self._signals = 0
        self._updates = 0

    @workflow.run
    async def run(self, path: BarePath) -> int:
        activities = signals = updates = 0
        for move in path.moves:
            if move is Move.ACTIVITY:
                activities += 1
                step = BareStep(run_id=path.run_id, number=activities)
                await workflow.execute_activity_method(BareActivities.step, step, start_to_close_timeout=timedelta(seconds=10))
            elif move is Move.SIGNAL:
                signals += 1
                await self._until(lambda: self._signals, signals)
            else:
                updates += 1
                await self._until(lambda: self._updates, updates)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return activities

    async def _until(self, count: Callable[[], int], at_least: int) -> None:
        await workflow.wait_condition(lambda: count() >= at_least, timeout=DEADLINE)

    @workflow.signal
    def scan(self) -> None:
        self._signals += 1

    @workflow.update
    async def cancel(self) -> str:
        self._updates += 1
        return "ACCEPTED"
