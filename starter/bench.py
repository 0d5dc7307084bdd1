"""`python -m starter.bench [--orders N] [--concurrency C] [--rate R] [--idle I] [--json] [--report F]` (`make bench`).

Starts a system of its own (dev server with the WAL-pragma SQLite persistence, stand-ins, one
worker; free ports, a temporary directory) and, in this process, a worker that runs both
OrderWorkflow over instant in-process adapters and a bare-SDK workflow with the same Temporal
work and no business logic. In one run it measures, on the same server: the bare happy path and
cancel path; ours over the instant adapters (what our orchestration costs on top of Temporal);
the happy path end to end over the stand-ins; the history, payload bytes and Temporal Cloud
actions of an order on each path and on a cancellation after capture and in transit; and how
the worker holds `--idle` orders waiting in their cancellation window. It is not a test and
asserts nothing; it stops by itself and shuts the system down, on Ctrl-C too.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from temporalio.worker import Worker

from activities.carrier import CarrierActivities
from activities.inventory import InventoryActivities
from activities.inventory_sql import SqlInventoryStore
from activities.mail import MailActivities
from activities.payment import PaymentActivities
from domain.placement import PlaceOrder
from runtime.temporal import connect
from runtime.workflow_runner import workflow_runner
from sandbox.instant import InstantCarrier, InstantInventory, InstantMailer, InstantPayments, Milestones
from starter import bench_paths as paths
from starter.bench_bare import BareActivities, BareWorkflow
from starter.bench_history import RunCost, cost
from starter.bench_report import (
    cpu_ratio,
    machine,
    markdown,
    own_peak_rss_mb,
    path_figures,
    ratio,
    show,
    tried_section,
)
from starter.errors import CliError
from starter.processes import Child
from starter.system import System, isolated_settings
from worker import activity_methods
from workflows.order import OrderWorkflow

INSTANT_QUEUE = "bench-instant"
WARM_UP = 3
SAMPLES = 3  # histories read per path; their median is reported
REPORT = Path(__file__).resolve().parent.parent / "docs" / "bench.md"


def instant_worker(bench: paths.Bench) -> Worker:
    milestones = bench.milestones
    activities = activity_methods(
        PaymentActivities(InstantPayments(milestones)),
        InventoryActivities(InstantInventory()),
        CarrierActivities(InstantCarrier(milestones)),
        MailActivities(InstantMailer(milestones)),
        BareActivities(milestones),
    )
    # The bare twin's module is passed through as ours are, so the ratio compares the workflows, not their imports.
    runner = workflow_runner(BareWorkflow.__module__)
    return Worker(
        bench.client,
        task_queue=INSTANT_QUEUE,
        workflows=[OrderWorkflow, BareWorkflow],
        activities=activities,
        workflow_runner=runner,
    )


async def median_cost(bench: paths.Bench, run: paths.PathRun) -> RunCost | None:
    sample = run.workflow_ids[:SAMPLES]
    if not sample:
        return None
    costs = [cost(await bench.client.get_workflow_handle(workflow_id).fetch_history()) for workflow_id in sample]
    return sorted(costs, key=lambda c: c.events)[len(costs) // 2]


def child_cpu_s(child: Child) -> float:
    """User and system CPU seconds of a child process so far (Linux /proc)."""
    fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_peak_rss_mb(child: Child) -> float:
    status = Path(f"/proc/{child.pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


async def seeded_orders(inventory: SqlInventoryStore, count: int) -> list[PlaceOrder]:
    commands = [paths.new_order(paths.INSTANT) for _ in range(count)]
    for command in commands:
        await inventory.set_stock(command.lines[0].sku, 10)
    return commands


async def hold_idle(bench: paths.Bench, count: int, console: Console) -> float:
    """Start `count` orders that wait in a long cancellation window; the seconds it took until all were confirmed."""
    waiting = paths.WINDOW_OPEN.model_copy(update={"free_cancellation_window": timedelta(days=30)})
    run, gate, started = paths.PathRun("idle"), asyncio.Semaphore(50), time.perf_counter()

    async def one() -> None:
        async with gate:
            order_id, _ = await paths.place(bench, run, waiting)
            await bench.milestones.reached(order_id, "CONFIRMATION")
            bench.milestones.forget(order_id)

    for done in range(0, count, 500):
        await asyncio.gather(*(one() for _ in range(min(500, count - done))))
        console.print(f"  {min(done + 500, count)}/{count} idle orders confirmed ...")
    return time.perf_counter() - started


async def bench(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    figures: dict[str, Any] = {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine()}
    figures |= {"orders": args.orders, "concurrency": args.concurrency, "rate": args.rate}
    console.print(f"machine: {figures['machine']}", soft_wrap=True)
    with tempfile.TemporaryDirectory(prefix="orders-bench-") as root:
        settings = isolated_settings(Path(root))
        console.print(f"starting the system on free ports (logs in {settings.var_dir}/) ...")
        async with System(settings) as system:
            client = await connect(settings)
            bench = paths.Bench(client, Milestones(), INSTANT_QUEUE)
            inventory = SqlInventoryStore(settings.inventory_db_url)
            worker = system.workers[0]
            try:
                async with instant_worker(bench):
                    figures |= await measure_all(bench, args, console, inventory, settings.task_queue, worker)
            finally:
                await inventory.close()
            console.print("system stopping ...")
    return figures


async def measure_all(
    bench: paths.Bench, args: argparse.Namespace, console: Console, inventory: SqlInventoryStore, queue: str, worker: Child
) -> dict[str, Any]:
    n, c = args.orders, args.concurrency
    timed = {
        "bare happy path": paths.bare_happy_path,
        "happy path (instant adapters)": paths.happy_path,
        "bare cancel in window": paths.bare_cancel,
        "cancel in window (instant adapters)": paths.cancel_in_window,
    }
    for drive in timed.values():
        await paths.measure(bench, paths.PathRun("warm-up"), drive, WARM_UP, WARM_UP)
    console.print(f"warmed up ({WARM_UP} runs per path, not counted); measuring ...")
    runs = {name: await paths.measure(bench, paths.PathRun(name), drive, n, c) for name, drive in timed.items()}
    commands = await seeded_orders(inventory, n)
    cpu = child_cpu_s(worker)
    e2e = await paths.measure(bench, paths.PathRun("e2e"), paths.end_to_end(queue, commands), n, c)
    e2e.cpu = child_cpu_s(worker) - cpu  # the system's worker does this path's work
    runs["happy path (end to end, stand-ins)"] = e2e
    for name, drive in {"cancel after capture": paths.cancel_after_capture, "cancel in transit": paths.cancel_in_transit}.items():
        runs[name] = await paths.measure(bench, paths.PathRun(name), drive, SAMPLES, 1)
    costs = {name: await median_cost(bench, run) for name, run in runs.items()}
    happy, cancel = runs["happy path (instant adapters)"], runs["cancel in window (instant adapters)"]
    bare_happy, bare_cancel = runs["bare happy path"], runs["bare cancel in window"]
    flowing = await measure_flowing(bench, args, console)
    runs |= flowing
    ours_flowing, bare_flowing = flowing.values()
    idle = await idle_figures(bench, args, console, happy)
    return {
        "paths": {
            name: path_figures(run, costs.get(name), len(run.latencies) + len(run.failures)) for name, run in runs.items()
        },
        "orchestration_ratio_forward": ratio(happy, bare_happy),
        "orchestration_ratio_cancel": ratio(cancel, bare_cancel),
        "orchestration_cpu_ratio_forward": cpu_ratio(happy, bare_happy),
        "orchestration_cpu_ratio_cancel": cpu_ratio(cancel, bare_cancel),
        "end_to_end_ratio_forward": ratio(e2e, bare_happy),
        "cancel_update_ms": update_ms(ours_flowing),
        "bare_cancel_update_ms": update_ms(bare_flowing),
        "saturated_cancel_update_ms": update_ms(cancel),
        "bare_saturated_cancel_update_ms": update_ms(bare_cancel),
        "history_events": {
            key: getattr(costs[name], "events", None)
            for key, name in (
                ("happy_path", "happy path (instant adapters)"),
                ("cancel_after_capture", "cancel after capture"),
                ("cancel_in_transit", "cancel in transit"),
            )
        },
        "peak_rss_mb": {"bench_process": round(own_peak_rss_mb(), 1), "system_worker": round(child_peak_rss_mb(worker), 1)},
        **idle,
        "notes": notes(args),
    }


async def measure_flowing(bench: paths.Bench, args: argparse.Namespace, console: Console) -> dict[str, paths.PathRun]:
    """The cancel update's round trip with `--rate` orders per second flowing (half happy, half
    cancelled in their window), ours and then the bare twins, each at the same pace."""
    runs, rate = 2 * args.orders, args.rate
    console.print(f"{runs} orders at {rate:g}/s, ours and then bare, timing the cancel update ...")
    flows = {
        f"ours, {rate:g} orders/s flowing": [paths.happy_path, paths.cancel_in_window],
        f"bare, {rate:g} orders/s flowing": [paths.bare_happy_path, paths.bare_cancel],
    }
    return {name: await paths.measure_paced(bench, paths.PathRun(name), drives, runs, rate) for name, drives in flows.items()}


def update_ms(run: paths.PathRun) -> dict[str, float]:
    return path_figures(run, None, len(run.latencies)).get("update_ms", {})


async def idle_figures(bench: paths.Bench, args: argparse.Namespace, console: Console, before: paths.PathRun) -> dict[str, Any]:
    if not args.idle:
        return {"idle_orders": 0, "idle_orders_rss_mb": None}
    console.print(f"starting {args.idle} orders that wait in their cancellation window ...")
    rss_before = own_peak_rss_mb()
    seconds = await hold_idle(bench, args.idle, console)
    rss = own_peak_rss_mb()
    after = paths.PathRun("happy path, idle orders waiting")
    await paths.measure(bench, after, paths.happy_path, args.orders, args.concurrency)
    return {
        "idle_orders": args.idle,
        "idle_orders_started_per_s": round(args.idle / seconds, 1),
        "idle_orders_rss_mb": round(rss, 1),
        "idle_orders_rss_growth_mb": round(rss - rss_before, 1),
        "throughput_with_idle_orders_ratio": ratio(after, before),
    }


def notes(args: argparse.Namespace) -> list[str]:
    return [
        "The happy path runs authorize, reserve, confirm, capture, label, then two scans (signals), ship, and completes; "
        "the cancel path runs authorize, reserve, confirm, the cancel update, void, release and the notice. "
        "Each bare twin has the same activities, signals, updates and deadline timers.",
        "Our paths and the bare ones run in this process's worker over instant adapters; cpu s / 1000 counts this "
        "process (worker and client alike, so the ratio is fair); end to end counts the system's worker process.",
        f"End to end, the driver sees the label by querying the order every {paths.POLL * 1000:.0f} ms, as no instant "
        f"adapter tells it. Before a timed cancel the driver pauses {paths.SETTLE * 1000:.0f} ms after the confirmation "
        "(and after its bare twin's third step), so that the update's round trip is timed on an order that waits in "
        "its window; the pause counts in both paths' latency and orders/s.",
        f"The cancel update's round trip (`cancel_update_ms`) is timed with {args.rate:g} orders/s flowing: orders "
        "started at that pace whatever the system's (an open loop), taking the happy path and the cancellation in "
        "turn; `bare_cancel_update_ms` the same with the bare twins. `saturated_cancel_update_ms` is the round "
        f"trip in the cancel path above, where {args.concurrency} runs in flight keep the worker as busy as it goes.",
        f"Idle orders: {args.idle} orders waiting in a 30-day window on the same worker (SDK default cache of 1,000 "
        "workflows: the ones evicted are replayed from history when they next have work).",
        "Actions follow Temporal Cloud's list: start, each activity attempt, timer, signal, update and billed upsert "
        "(upserts of TemporalChangeVersion alone are free).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m starter.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=50, help="runs per path (default 50)")
    parser.add_argument("--concurrency", type=int, default=10, help="runs in flight at once (default 10)")
    parser.add_argument("--rate", type=float, default=10, help="orders/s flowing while the update is timed (default 10)")
    parser.add_argument("--idle", type=int, default=10_000, help="orders left waiting for the idle figures (0: skip)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    parser.add_argument("--report", type=Path, default=REPORT, help=f"Markdown report file (default {REPORT.name} in docs/)")
    args = parser.parse_args()
    if args.orders < 1 or args.concurrency < 1 or args.idle < 0 or args.rate <= 0:
        parser.error("--orders and --concurrency must be at least 1, --idle at least 0, --rate above 0")
    console = Console(width=max(Console().width, 120), stderr=args.json)

    async def run() -> dict[str, Any]:
        # SIGTERM as Ctrl-C: cancel, so that leaving `async with System` stops the children.
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await bench(args, console)

    code = 0
    try:
        figures = asyncio.run(run())
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(markdown(figures, tried_section(args.report)))
        if args.json:
            print(json.dumps(figures, indent=2))
        else:
            show(console, figures)
            console.print(f"report written to {args.report}")
    except (KeyboardInterrupt, asyncio.CancelledError):
        console.print("interrupted; the system was stopped")
        code = 130
    except CliError as error:
        console.print(f"error: {error}", soft_wrap=True, markup=False)
        code = 1
    # Skip interpreter teardown, where the client's Rust threads can crash a finished run (see OrdersApp).
    sys.stdout.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
