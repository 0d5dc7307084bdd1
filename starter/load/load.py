"""A load from plan to verdict: the mix spread over the orders, run at its pace under a progress bar, the
figures summed up, and the verdict: every order in its expected end state and the audit clean."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from runtime.settings import Settings
from starter.load.figures import OrderResult, summary
from starter.load.mix import assign, parse_mix
from starter.load.plugs import audit_verdict
from starter.load.runner import Pace, run_load
from starter.load.session import load_context


@dataclass(frozen=True)
class LoadPlan:
    orders: int
    mix: str
    seed: int
    pace: Pace
    patience: timedelta  # how long one order may take to reach its end, and one call to get through


@contextmanager
def progress_bar(console: Console, total: int) -> Iterator[Callable[[OrderResult], None]]:
    """A bar of the orders ended; the callback it yields counts one result (and a miss, if it is one)."""
    missed = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("orders", total=total)

        def done(result: OrderResult) -> None:
            nonlocal missed
            missed += not result.met
            bar.update(task, advance=1, description=f"orders ({missed} missed)" if missed else "orders")

        yield done


async def run_plan(
    settings: Settings, plan: LoadPlan, console: Console, watch: Callable[[OrderResult], object] = lambda _: None
) -> dict[str, Any]:
    """Run the load against the system `settings` describe: its figures, without the audit yet. `watch` is told
    of each order's result as it comes (chaos times its server kill by it)."""
    paths = assign(parse_mix(plan.mix), plan.orders, plan.seed)
    async with load_context(settings, plan.patience) as (ctx, orders):
        with progress_bar(console, plan.orders) as bar:

            def done(result: OrderResult) -> None:
                bar(result)
                watch(result)

            started = time.monotonic()
            results = await run_load(ctx, orders, paths, plan.pace, done)
            seconds = time.monotonic() - started
    return summary(results, seconds)


async def with_verdict(settings: Settings, figures: dict[str, Any]) -> dict[str, Any]:
    """The figures with the audit's report and the verdict: clean when every order met its end and the audit is clean."""
    audit = await audit_verdict(settings)
    return figures | {"audit": audit, "clean": figures["all_met"] and audit["clean"]}
