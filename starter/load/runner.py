"""Running a load: orders started at `rate` per second, at most `concurrency` in flight, each driven along
its path and then watched until it reaches its expected end state (or its patience runs out)."""

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from domain.lifecycle import TERMINAL, OrderStatus
from domain.order import Order
from starter.load.figures import OrderResult, stage_seconds
from starter.load.mix import Path
from starter.load.paths import PATHS, Ending, ending_of
from starter.load.patience import PatientOrdersClient
from starter.scenarios.context import Context, track_orders


@dataclass(frozen=True)
class Pace:
    rate: float  # orders started per second
    concurrency: int  # orders in flight at most


def settled(ending: Ending) -> Callable[[Order], bool]:
    """Done watching: the order reached its end, or another terminal one (it will not move again)."""
    return lambda order: ending.met_by(order) or order.status in TERMINAL


async def one_order(ctx: Context, orders: PatientOrdersClient, path: Path) -> OrderResult:
    drive, ending = PATHS[path]
    placed = track_orders()
    result = OrderResult(path=path, order_id="", expected=str(ending))
    try:
        await drive(ctx)
    except Exception as error:  # noqa: BLE001 - one order's failure is reported with it, never stops the load
        result.problem = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    if not placed:
        result.problem = result.problem or "never placed"
        return result
    result.order_id = placed[0]
    try:
        order = await orders.wait_for(result.order_id, settled(ending), timeout=ctx.timeout)
    except Exception as error:  # noqa: BLE001 - not there in time (TimeoutError) or unreadable: both a miss
        result.problem = result.problem or f"{type(error).__name__}: {error}"
        try:
            order = await orders.status(result.order_id)
        except Exception:  # noqa: BLE001 - nothing more to learn
            return result
    result.ended, result.met = ending_of(order), ending.met_by(order)
    if order.status is OrderStatus.NEEDS_ATTENTION and order.attention is not None:
        result.problem = result.problem or f"needs attention: {order.attention.problem}"
    result.stages = stage_seconds(order.timeline)
    result.cancel_s = orders.update_seconds.get(result.order_id, [])
    return result


async def run_load(
    ctx: Context, orders: PatientOrdersClient, paths: Sequence[Path], pace: Pace, done: Callable[[OrderResult], object]
) -> list[OrderResult]:
    """Every path's order, started at `pace`; `done` is told of each result as it comes."""
    gate = asyncio.Semaphore(pace.concurrency)
    started = time.monotonic()

    async def run(path: Path) -> OrderResult:
        try:
            result = await one_order(ctx, orders, path)
        finally:
            gate.release()
        done(result)
        return result

    tasks = []
    for index, path in enumerate(paths):
        await gate.acquire()
        await asyncio.sleep(max(0.0, started + index / pace.rate - time.monotonic()))
        tasks.append(asyncio.create_task(run(path)))
    return list(await asyncio.gather(*tasks))
