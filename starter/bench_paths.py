"""The paths the benchmark drives, each the way a client would: start, send, and await the results.

Our paths run OrderWorkflow over the instant adapters (sandbox.instant) or, end to end, over the
stand-ins; the bare paths run BareWorkflow with the same activities, timers, signals and updates.
A driver waits for the milestones a storefront would hear of (the confirmation is sent, the label
is bought), never for a status poll, except end to end where the label is only seen in the order.
"""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateStage

from domain.order import Order
from domain.placement import OrderLine, PlaceOrder
from domain.policy import Policy
from domain.requests import Verdict
from sandbox.instant import Milestones
from starter.bench_bare import BarePath, BareWorkflow, Move
from starter.inputs import DEMO_ADDRESS
from workflows import search
from workflows.order import OrderWorkflow

A, S, U = Move.ACTIVITY, Move.SIGNAL, Move.UPDATE
# The bare twins of our paths: authorize, reserve, confirm, capture, label, (pickup), ship, (delivery);
# and authorize, reserve, confirm, (cancel), void, release, notice.
BARE_HAPPY = [A, A, A, A, A, S, A, S]
BARE_CANCEL = [A, A, A, U, A, A, A]
# Zero waits start no timer; the deadlines a path waits behind (pickup, delivery, the window) do, as the twins'.
INSTANT = Policy(free_cancellation_window=timedelta(0), return_period=timedelta(0), answer_period=timedelta(0))
WINDOW_OPEN = INSTANT.model_copy(update={"free_cancellation_window": timedelta(minutes=30)})
POLL = 0.02  # seconds between status queries end to end, where only the order can tell that its label is bought
# The confirmation (or the twin's third step) is sent: its workflow hears back within this, unhurried, so the
# cancel is timed on an order waiting in its window. A pause, not a poll: queries would load the worker measured.
SETTLE = 0.1


@dataclass
class Bench:
    client: Client
    milestones: Milestones
    task_queue: str  # the in-process worker: OrderWorkflow over instant adapters, and BareWorkflow


@dataclass
class PathRun:
    """One path's figures: wall time over all runs, and per run its latency (start to result)."""

    name: str
    wall: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    updates: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    workflow_ids: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


Drive = Callable[[Bench, PathRun], Awaitable[None]]


def new_order(policy: Policy) -> PlaceOrder:
    suffix = uuid.uuid4().hex[:12]
    return PlaceOrder(
        order_id=f"bench-{suffix}",
        customer_id="bench",
        customer_email=f"bench-{suffix}@example.com",
        lines=[OrderLine(sku=f"BN-{suffix}", quantity=1, unit_price_minor=1250)],
        shipping_address=DEMO_ADDRESS,
        shipping_fee_minor=500,
        currency="EUR",
        payment_method="pm_card_visa",
        policy=policy,
    )


OrderHandle = WorkflowHandle[Any, Order]


async def start_order(bench: Bench, run: PathRun, command: PlaceOrder, task_queue: str | None = None) -> OrderHandle:
    workflow_id = f"order-{command.order_id}"
    run.workflow_ids.append(workflow_id)
    queue = task_queue or bench.task_queue
    return await bench.client.start_workflow(
        OrderWorkflow.run, command, id=workflow_id, task_queue=queue, search_attributes=search.at_start(command)
    )


async def place(bench: Bench, run: PathRun, policy: Policy) -> tuple[str, OrderHandle]:
    command = new_order(policy)
    return command.order_id, await start_order(bench, run, command)


async def start_bare(bench: Bench, run: PathRun, moves: list[Move]) -> tuple[str, WorkflowHandle[Any, int]]:
    run_id = f"bare-{uuid.uuid4().hex[:12]}"
    run.workflow_ids.append(run_id)
    path = BarePath(run_id=run_id, moves=moves)
    return run_id, await bench.client.start_workflow(BareWorkflow.run, path, id=run_id, task_queue=bench.task_queue)


async def delivered(handle: OrderHandle) -> None:
    for scan in ("PICKED_UP", "DELIVERED"):
        await handle.signal(OrderWorkflow.shipment_event, {"type": scan})


def staff_cancel() -> dict[str, str]:
    return {"request_id": f"r-{uuid.uuid4().hex[:12]}", "reason": "CUSTOMER", "requested_by": "customer_service"}


async def timed_cancel(handle: OrderHandle, run: PathRun) -> None:
    sent = time.perf_counter()
    outcome = await handle.execute_update(OrderWorkflow.cancel, staff_cancel())
    run.updates.append(time.perf_counter() - sent)
    if outcome.outcome is not Verdict.ACCEPTED:
        raise RuntimeError(f"cancel answered {outcome.outcome} {outcome.reason_code}")


async def happy_path(bench: Bench, run: PathRun) -> None:
    order_id, handle = await place(bench, run, INSTANT)
    await bench.milestones.reached(order_id, "LABEL")
    await delivered(handle)
    await handle.result()


async def bare_happy_path(bench: Bench, run: PathRun) -> None:
    run_id, handle = await start_bare(bench, run, BARE_HAPPY)
    await bench.milestones.reached(run_id, "step-5")
    for _ in range(2):
        await handle.signal(BareWorkflow.scan)
    await handle.result()


async def cancel_in_window(bench: Bench, run: PathRun) -> None:
    """The customer cancels a confirmed order waiting in its window: the update's round trip is timed alone."""
    order_id, handle = await place(bench, run, WINDOW_OPEN)
    await bench.milestones.reached(order_id, "CONFIRMATION")
    await asyncio.sleep(SETTLE)
    await timed_cancel(handle, run)
    await handle.result()


async def bare_cancel(bench: Bench, run: PathRun) -> None:
    run_id, handle = await start_bare(bench, run, BARE_CANCEL)
    await bench.milestones.reached(run_id, "step-3")
    await asyncio.sleep(SETTLE)
    sent = time.perf_counter()
    await handle.execute_update(BareWorkflow.cancel)
    run.updates.append(time.perf_counter() - sent)
    await handle.result()


async def cancel_after_capture(bench: Bench, run: PathRun) -> None:
    """The cancel arrives while the capture is in flight, so it is decided on the captured order."""
    command = new_order(INSTANT)
    order_id = command.order_id
    bench.milestones.hold(order_id, "CAPTURE")
    handle = await start_order(bench, run, command)
    await bench.milestones.reached(order_id, "CAPTURE")
    update = await handle.start_update(OrderWorkflow.cancel, staff_cancel(), wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    bench.milestones.release(order_id, "CAPTURE")  # the order has the request: it is decided once the capture answers
    outcome = await update.result()
    if outcome.outcome is not Verdict.ACCEPTED:
        raise RuntimeError(f"cancel after capture answered {outcome.outcome} {outcome.reason_code}")
    await handle.result()


async def cancel_in_transit(bench: Bench, run: PathRun) -> None:
    order_id, handle = await place(bench, run, INSTANT)
    await bench.milestones.reached(order_id, "LABEL")
    await handle.signal(OrderWorkflow.shipment_event, {"type": "PICKED_UP"})
    outcome = await handle.execute_update(OrderWorkflow.cancel, staff_cancel())
    if outcome.outcome is not Verdict.INTERCEPT_REQUESTED:
        raise RuntimeError(f"cancel in transit answered {outcome.outcome} {outcome.reason_code}")
    await bench.milestones.reached(order_id, "INTERCEPT")
    await handle.signal(OrderWorkflow.shipment_event, {"type": "RETURNED_TO_SENDER"})
    await handle.result()


def end_to_end(task_queue: str, commands: list[PlaceOrder]) -> Drive:
    """The happy path over the stand-ins, on the system's own worker, one of `commands` (stock seeded) each run."""

    async def drive(bench: Bench, run: PathRun) -> None:
        handle = await start_order(bench, run, commands.pop(), task_queue)
        while (await handle.query(OrderWorkflow.status)).shipment is None:
            await asyncio.sleep(POLL)
        await delivered(handle)
        await handle.result()

    return drive


async def _drive_once(bench: Bench, run: PathRun, drive: Drive) -> None:
    """One run, timed from start to result; a failed run is reported, not fatal."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(120):
            await drive(bench, run)
    except Exception as error:  # noqa: BLE001 - reported with the figures
        run.failures.append(f"{type(error).__name__}: {error}")
        return
    run.latencies.append(time.perf_counter() - started)


async def measure(bench: Bench, run: PathRun, drive: Drive, runs: int, concurrency: int) -> PathRun:
    """Drive `runs` runs of one path, at most `concurrency` at a time (as fast as the system goes)."""
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await _drive_once(bench, run, drive)

    return await _clocked(run, asyncio.gather(*(one() for _ in range(runs))))


async def measure_paced(bench: Bench, run: PathRun, drives: list[Drive], runs: int, rate: float) -> PathRun:
    """Start `runs` runs at `rate` per second whatever the system's pace (an open loop, as a shop's
    orders arrive), taking the `drives` in turn; each is timed from its start to its result."""

    async def paced() -> None:
        first, tasks = time.perf_counter(), []
        for index in range(runs):
            await asyncio.sleep(max(0.0, first + index / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(_drive_once(bench, run, drives[index % len(drives)])))
        await asyncio.gather(*tasks)

    return await _clocked(run, paced())


async def _clocked(run: PathRun, runs: Awaitable[object]) -> PathRun:
    """Await all of a path's runs, recording their wall time and this process's CPU time."""
    started, cpu = time.perf_counter(), time.process_time()
    await runs
    run.wall, run.cpu = time.perf_counter() - started, time.process_time() - cpu
    return run
