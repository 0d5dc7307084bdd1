"""`python -m starter.bench [--orders N] [--concurrency C]` (what `make bench` runs).

Starts a system of its own (dev server with the WAL-pragma SQLite persistence, stand-ins, one
worker; free ports, a temporary directory) and measures two paths on it in one run:
orders cancelled inside the free window (authorize, reserve, confirm; then void, release,
message) and orders carried forward until their label is bought (authorize, reserve,
confirm, capture, label). The machine is shared and noisy: compare the ratio between the
two paths within one run, not absolute figures across runs. It is not a test and asserts
nothing; it stops by itself and shuts the system down, on Ctrl-C too.
"""

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from rich.console import Console

from activities.inventory_sql import SqlInventoryStore
from domain.order import Order, OrderStatus
from domain.placement import OrderLine, PlaceOrder
from domain.policy import Policy
from domain.requests import CancellationRequest, CancelReason, RequestedBy, Verdict
from runtime.settings import Settings
from starter.bench_report import PathRun, load_average, machine, report
from starter.client import OrdersClient
from starter.errors import CliError
from starter.inputs import DEMO_ADDRESS
from starter.system import System, isolated_settings

# Long enough that every cancel lands inside the window. Zero for the forward path: the dev server fires
# even a 10 ms timer about 1 s late, which would measure its timer granularity instead of the work.
CANCEL_WINDOW = timedelta(minutes=30)
FORWARD_WINDOW = timedelta(0)
ORDER_TIMEOUT = 120.0
# Status polls back off to this: finer would load the single worker with queries, coarser would blur latencies.
POLL_CAP = 0.25
WARM_UP = 2


@dataclass
class Context:
    """What the bench drives: the orders, and the stock it seeds for them."""

    orders: OrdersClient
    inventory: SqlInventoryStore


@asynccontextmanager
async def context(settings: Settings) -> AsyncIterator[Context]:
    inventory = SqlInventoryStore(settings.inventory_db_url)
    await inventory.create_schema()
    try:
        yield Context(await OrdersClient.connect(settings), inventory)
    finally:
        await inventory.close()


def new_order(window: timedelta) -> PlaceOrder:
    suffix = uuid.uuid4().hex[:12]
    return PlaceOrder(
        order_id=f"bench-{suffix}",
        customer_id="bench",
        customer_email=f"bench-{suffix}@example.com",
        lines=[OrderLine(sku=f"BN-{suffix}", quantity=1, unit_price_minor=1250)],
        shipping_address=DEMO_ADDRESS,
        shipping_fee_minor=500,
        currency="EUR",
        payment_method="4242424242424242",
        policy=Policy(free_cancellation_window=window),
    )


async def until(ctx: Context, order_id: str, predicate: Callable[[Order], bool]) -> None:
    delay = 0.05
    while not predicate(await ctx.orders.status(order_id)):
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, POLL_CAP)


async def cancelled_in_window(ctx: Context, command: PlaceOrder, run: PathRun) -> None:
    await ctx.orders.place(command)
    await until(ctx, command.order_id, lambda o: o.status is OrderStatus.CONFIRMED)
    request = CancellationRequest(
        request_id=f"r-{uuid.uuid4().hex[:12]}", reason=CancelReason.CUSTOMER, requested_by=RequestedBy.CUSTOMER_SERVICE
    )
    sent = time.monotonic()
    outcome = await ctx.orders.cancel(command.order_id, request)
    run.updates.append(time.monotonic() - sent)
    if outcome.outcome is not Verdict.ACCEPTED:
        raise RuntimeError(f"cancel answered {outcome.outcome} {outcome.reason_code}")
    await until(ctx, command.order_id, lambda o: o.status is OrderStatus.CANCELLED)


async def forward_to_label(ctx: Context, command: PlaceOrder, _run: PathRun) -> None:
    await ctx.orders.place(command)
    await until(ctx, command.order_id, lambda o: o.shipment is not None)


Drive = Callable[[Context, PlaceOrder, PathRun], Awaitable[None]]


async def measure(ctx: Context, name: str, drive: Drive, window: timedelta, orders: int, concurrency: int) -> PathRun:
    """Drive `orders` orders through one path, at most `concurrency` at a time; stock is seeded first, untimed."""
    commands = [new_order(window) for _ in range(orders)]
    for command in commands:
        await ctx.inventory.set_stock(command.lines[0].sku, 10)
    run, gate = PathRun(name), asyncio.Semaphore(concurrency)

    async def one(command: PlaceOrder) -> None:
        async with gate:
            started, deadline = time.monotonic(), asyncio.timeout(ORDER_TIMEOUT)
            try:
                async with deadline:
                    await drive(ctx, command, run)
            except Exception as error:  # noqa: BLE001 - a failed order is reported, not fatal to the run
                # OrdersClient words a cancelled update as NoWorker: on Ctrl-C that is the interrupt, not a failure.
                if not deadline.expired() and (task := asyncio.current_task()) is not None and task.cancelling():
                    raise asyncio.CancelledError() from error
                run.failures.append(f"{command.order_id}: {type(error).__name__}: {error}")
                return
            run.latencies.append(time.monotonic() - started)

    started = time.monotonic()
    await asyncio.gather(*(one(command) for command in commands))
    run.wall = time.monotonic() - started
    return run


async def bench(orders: int, concurrency: int, console: Console) -> None:
    console.print(f"machine: {machine()}", soft_wrap=True)
    with tempfile.TemporaryDirectory(prefix="orders-bench-") as root:
        settings = isolated_settings(Path(root))
        console.print(f"starting the system on free ports (logs in {settings.var_dir}/) ...")
        async with System(settings), context(settings) as ctx:
            paths = [
                ("cancel in window", cancelled_in_window, CANCEL_WINDOW),
                ("forward to label", forward_to_label, FORWARD_WINDOW),
            ]
            for name, drive, window in paths:
                await measure(ctx, name, drive, window, WARM_UP, WARM_UP)
            console.print(f"warmed up ({WARM_UP} orders per path, not counted); measuring ...")
            runs = [await measure(ctx, name, drive, window, orders, concurrency) for name, drive, window in paths]
            console.print("system stopping ...")
    report(console, runs, orders, concurrency)
    console.print(f"after: load average {load_average()}; status polls back off to {POLL_CAP}s", soft_wrap=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m starter.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=50, help="orders per path (default 50)")
    parser.add_argument("--concurrency", type=int, default=10, help="orders in flight at once (default 10)")
    args = parser.parse_args()
    if args.orders < 1 or args.concurrency < 1:
        parser.error("--orders and --concurrency must be at least 1")
    console = Console(width=max(Console().width, 120))

    async def run() -> None:
        # SIGTERM as Ctrl-C: cancel, so that leaving `async with System` stops the children.
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        await bench(args.orders, args.concurrency, console)

    code = 0
    try:
        asyncio.run(run())
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
