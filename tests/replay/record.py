"""Record the replay histories: `python -m tests.replay.record` (what `make histories` runs).

Starts the whole system as the e2e tests do (free ports, a temporary directory), runs the
scenario suite, places a few orders that are left open (in SHIPPED, in a review), and
exports one order's history per scenario with `temporal workflow show --output json` into
tests/replay/histories/, decoded through the codec server (`--codec-endpoint`): the payloads the
workers wrote encrypted are stored in clear, so the replay test replays them with the plain
pydantic converter and no key (the recorded orders hold only the scenarios' made-up customers).
Run it again after every intended change to the workflow, and
commit the histories with the change: test_replay.py then proves that orders already in
flight on the old code still replay on the new.
"""

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from temporalio.client import WorkflowExecutionStatus

from domain.order_events import events_workflow_id
from runtime.settings import Settings
from runtime.webhook_subscribers import receiver_stand_in
from starter.client import workflow_id
from starter.scenarios import run_suite
from starter.scenarios.cancel_points import AFTER_CAPTURE, order_at
from starter.scenarios.context import Context, context
from starter.scenarios.kit import SHORT_WINDOW, ScenarioOrder
from starter.scenarios.review import pending_review
from starter.system import PROJECT_ROOT, System, isolated_settings, temporal_binary

HISTORIES = Path(__file__).resolve().parent / "histories"
EVENTS = "events_"  # the file name of an order-event delivery's history starts so
# Scenario orders stay open for their answer period (seconds) after they end; a closed history
# tells the whole story, so wait (at most this long) for them to close before exporting.
CLOSE_WAIT = 60.0


async def open_in_shipped(ctx: Context) -> str:
    """An order the carrier has picked up: it waits in SHIPPED for a delivery scan that never comes."""
    run = ScenarioOrder(ctx, "open_in_shipped", window=SHORT_WINDOW)
    await run.place()
    await run.hand_to_carrier()
    return run.order_id


async def open_pending_review(ctx: Context) -> str:
    """A customer's request after the window: it waits for customer service's review."""
    run = await order_at(ctx, "open_pending_review", AFTER_CAPTURE)
    await pending_review(run)
    return run.order_id


OPEN_ORDERS = (open_in_shipped, open_pending_review)
# Whose order-event deliveries are recorded too (as events_<name>.json): one success, one with a partial
# cancellation's events, one in which a person was asked.
EVENT_DELIVERIES = ("happy_path", "partial_cancel_after_capture", "refund_fails_then_store_credit")


async def choose_orders(ctx: Context) -> dict[str, str]:
    """History name -> order id: the first order of each scenario, once all of them passed."""
    results = await run_suite(ctx)
    failed = [result for result in results if not result.passed]
    for result in failed:
        print(f"FAILED {result.name} {' '.join(result.order_ids)}: {result.detail}", file=sys.stderr)
    if failed:
        raise SystemExit("scenarios failed: fix them first (the worker log says why)")
    chosen = {result.name: result.order_ids[0] for result in results if result.order_ids}
    for result in results:
        if not result.order_ids:
            print(f"note: scenario {result.name} placed no order through ScenarioOrder; it has no history")
    return chosen


async def until_closed(ctx: Context, order_ids: list[str], within: float) -> set[str]:
    """Wait (bounded) for these orders' workflows to close; the ids still running at the end."""
    deadline = time.monotonic() + within
    running = set(order_ids)
    while running and time.monotonic() < deadline:
        for order_id in sorted(running):
            description = await ctx.orders.handle(order_id).describe()
            if description.status is not WorkflowExecutionStatus.RUNNING:
                running.discard(order_id)
        if running:
            await asyncio.sleep(1.0)
    return running


async def export(settings: Settings, codec_url: str, workflow_id: str) -> str:
    """The history decoded through the codec server: the replay test then needs no key (its data is the scenarios')."""
    argv = [temporal_binary(), "workflow", "show", "--output", "json", "--workflow-id", workflow_id]
    argv += ["--address", settings.temporal_address, "--namespace", settings.temporal_namespace]
    argv += ["--codec-endpoint", codec_url]
    process = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"temporal workflow show {workflow_id} failed: {err.decode().strip()}")
    json.loads(out)  # a truncated export must fail here, not in the replay test
    return out.decode()


async def record(target: Path) -> None:
    root = Path(tempfile.mkdtemp(prefix="orders-replay-"))
    # The orders tell their events to the receiver stand-in, so that the histories hold the order-events path.
    settings = isolated_settings(root)
    settings = settings.model_copy(update={"webhook_subscribers": receiver_stand_in(settings.sandbox_url)})
    print(f"starting the system (logs in {settings.var_dir}/) ...")
    try:
        async with System(settings) as system, context(settings) as ctx:
            chosen = await choose_orders(ctx)
            open_ids = await asyncio.gather(*(make(ctx) for make in OPEN_ORDERS))
            still_open = await until_closed(ctx, list(chosen.values()), CLOSE_WAIT)
            chosen |= {make.__name__: order_id for make, order_id in zip(OPEN_ORDERS, open_ids, strict=True)}
            still_open |= set(open_ids)
            codec = system.codec_url
            histories = {name: await export(settings, codec, workflow_id(order_id)) for name, order_id in chosen.items()}
            for name in EVENT_DELIVERIES:
                delivery = events_workflow_id(chosen[name])
                histories[f"{EVENTS}{name}"] = await export(settings, codec, delivery)
    except BaseException:
        print(f"nothing recorded; the system's logs are kept in {settings.var_dir}/", file=sys.stderr)
        raise
    shutil.rmtree(root)
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name, text in histories.items():
        (staging / f"{name}.json").write_text(text)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    for name, order_id in chosen.items():
        print(f"{(target / name).relative_to(PROJECT_ROOT)}.json  {'still running' if order_id in still_open else 'closed'}")


if __name__ == "__main__":
    asyncio.run(record(HISTORIES))
    # Skip interpreter teardown, where the client's Rust threads can crash a finished run (see OrdersApp).
    sys.stdout.flush()
    os._exit(0)
