"""Orders flooded with requests or scans continue as new runs, and nothing is lost on the way.

The policy's `events_per_run` is lowered to its floor so that a few dozen messages make a run
long; each test checks that the order went on in a later run of the same workflow id with its
state, its deadlines, and its answers to earlier requests intact.
"""

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio.client import WorkflowHandle, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.policy import Policy
from domain.requests import (
    CancellationReview,
    ReasonCode,
    RequestedBy,
    ReviewDecision,
    Verdict,
)
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.fakes import Gate
from tests.workflows.conftest import SHORT, TOTAL, World, customer_cancel, watch_labels, world_on
from workflows.order import OrderWorkflow

ACCEPTED = WorkflowUpdateStage.ACCEPTED
FEW_EVENTS = 100
REAL_WINDOW = Policy(events_per_run=FEW_EVENTS)  # 30 minutes to cancel freely


async def eventually(handle: WorkflowHandle, holds: Callable[[Order], bool]) -> Order:
    """The order's status once `holds` is true of it (the latest run's, whichever that is)."""
    latest = handle._client.get_workflow_handle(handle.id)
    for _ in range(600):
        order: Order = await latest.query(OrderWorkflow.status)
        if holds(order):
            return order
        await asyncio.sleep(0.1)
    raise TimeoutError(f"order {handle.id} is still {order.status}")


async def runs(handle: WorkflowHandle) -> int:
    """How many runs the order's workflow id has had."""
    count = 0
    async for _ in handle._client.list_workflows(f'WorkflowId="{handle.id}"'):
        count += 1
    return count


async def run_id(handle: WorkflowHandle) -> str:
    return (await handle.describe()).run_id


async def scan_flood(handle: WorkflowHandle, scans: int, kind: ShipmentEventType = ShipmentEventType.IN_TRANSIT) -> None:
    """Scans that no longer apply: each is noted and grows the history."""
    for _ in range(scans):
        await handle.signal(OrderWorkflow.shipment_event, ShipmentEvent(type=kind))


async def continued_from(handle: WorkflowHandle, first_run: str) -> WorkflowHandle:
    """Wait until the order runs on in a new run of the same workflow id; a handle on the latest run."""
    latest = handle._client.get_workflow_handle(handle.id)
    for _ in range(600):
        if await run_id(latest) != first_run:
            return latest
        await asyncio.sleep(0.1)
    raise TimeoutError(f"order {handle.id} never continued as a new run")


async def test_an_order_flooded_in_its_window_continues_and_keeps_the_window(skipping_env: WorkflowEnvironment) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        handle = await world.place_confirmed(policy=REAL_WINDOW)
        first_run = await run_id(handle)

        await scan_flood(handle, 40)
        latest = await continued_from(handle, first_run)
        await skipping_env.sleep(timedelta(minutes=25))
        in_window = await latest.query(OrderWorkflow.status)
        await skipping_env.sleep(timedelta(minutes=6))
        await world.carrier.label_gate.entered.wait()
        after_window = await latest.query(OrderWorkflow.status)
        await latest.terminate("test done")

    assert in_window.status is OrderStatus.CONFIRMED and in_window.captured_minor == 0
    assert after_window.captured_minor == TOTAL
    assert world.mailer.kinds(after_window.order_id) == ["CONFIRMATION"]
    assert sum(e.times for e in after_window.timeline if e.event == "SHIPMENT_EVENT_IGNORED") == 40


async def flood_of_requests(handle: WorkflowHandle, count: int, at_once: int = 10) -> list[Verdict]:
    answers: list[Verdict] = []
    for start in range(0, count, at_once):
        batch = [customer_cancel(f"late-{n}") for n in range(start, min(start + at_once, count))]
        outcomes = await asyncio.gather(*(handle.execute_update(OrderWorkflow.cancel, r) for r in batch))
        answers += [o.outcome for o in outcomes]
    return answers


async def test_a_cancelled_order_flooded_with_requests_answers_every_one_across_runs(world: World) -> None:
    policy = SHORT.model_copy(update={"events_per_run": FEW_EVENTS, "answer_period": timedelta(hours=1)})
    handle = await world.place_confirmed(policy=policy)
    first_run = await run_id(handle)
    by_staff = customer_cancel("first", requested_by=RequestedBy.CUSTOMER_SERVICE)
    accepted = await handle.execute_update(OrderWorkflow.cancel, by_staff)
    await eventually(handle, lambda o: o.status is OrderStatus.CANCELLED)

    answers = await flood_of_requests(handle, 60)
    latest = await continued_from(handle, first_run)
    repeat = await latest.execute_update(OrderWorkflow.cancel, by_staff)
    late = await latest.execute_update(OrderWorkflow.cancel, customer_cancel("after-the-flood"))
    order: Order = await latest.query(OrderWorkflow.status)
    await latest.terminate("test done")

    assert accepted.outcome is Verdict.ACCEPTED and repeat == accepted
    assert set(answers) == {Verdict.REJECTED} and len(answers) == 60
    assert late.outcome is Verdict.REJECTED and late.reason_code is ReasonCode.ALREADY_CANCELLED
    assert len(order.cancellations) == 62
    assert world.payments.voided == {f"pi_{order.order_id}"} and world.payments.captured == {}
    assert world.inventory.on_hand["MUG"] == 10 and world.inventory.on_hand["TEA"] == 10
    assert world.mailer.kinds(order.order_id).count("CANCELLATION") == 1
    assert await runs(handle) >= 2


async def test_an_order_flooded_while_a_review_is_open_continues_and_the_review_still_decides(world: World) -> None:
    policy = SHORT.model_copy(update={"events_per_run": FEW_EVENTS})
    capture = world.payments.capture_gate = Gate()
    handle = await world.place_until(capture, policy=policy)
    # A customer's request after the window goes to review; the order holds before the label.
    asked = await handle.start_update(OrderWorkflow.cancel, customer_cancel("changed-mind"), wait_for_stage=ACCEPTED)
    capture.opened.set()
    pending = await asked.result()
    first_run = await run_id(handle)

    await scan_flood(handle, 40, ShipmentEventType.DELIVERED)
    latest = await continued_from(handle, first_run)
    approved = await latest.execute_update(
        OrderWorkflow.review_cancellation,
        CancellationReview(request_id="changed-mind", decision=ReviewDecision.APPROVE, reviewer="sam"),
    )
    order = await eventually(handle, lambda o: o.status is OrderStatus.CANCELLED and o.refunded_minor == TOTAL)

    assert pending.outcome is Verdict.PENDING_REVIEW and approved.outcome is Verdict.ACCEPTED
    assert order.stock is StockState.RELEASED
    assert world.carrier.labels == {}
    assert world.mailer.kinds(order.order_id).count("CANCELLATION") == 1
