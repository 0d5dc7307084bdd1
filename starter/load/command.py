"""`orders load` and `orders chaos`: registered on the app in starter.cli."""

import json as jsonlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from runtime.settings import Settings
from starter.console import out
from starter.guard import guarded
from starter.load.mix import DEFAULT_MIX

if TYPE_CHECKING:
    from starter.load.load import LoadPlan

Orders = Annotated[int, typer.Option("--orders", min=1, help="how many orders")]
Rate = Annotated[float, typer.Option("--rate", min=0.01, help="orders started per second at most")]
Concurrency = Annotated[int, typer.Option("--concurrency", min=1, help="orders in flight at most")]
Mix = Annotated[str, typer.Option("--mix", help="path=weight,... (happy, cancel_window, cancel_captured, "
                                  "cancel_labelled, cancel_in_transit, partial, review_approve, review_deny, "
                                  "declined, out_of_stock)")]  # fmt: skip
Seed = Annotated[int, typer.Option("--seed", help="which order takes which path (the same seed, the same spread)")]
Patience = Annotated[int, typer.Option("--patience", min=1, help="seconds an order may take to reach its end")]
Json = Annotated[bool, typer.Option("--json", help="the figures and verdict as JSON on stdout (progress on stderr)")]


def plan(orders: int, rate: float, concurrency: int, mix: str, seed: int, patience: int) -> "LoadPlan":
    # Imported here, as every command's body does: `orders --help` must not load the scenarios.
    from starter.load.load import LoadPlan
    from starter.load.runner import Pace

    return LoadPlan(orders, mix, seed, Pace(rate, concurrency), timedelta(seconds=patience))


def report(figures: dict[str, Any], json: bool, console: Console) -> None:
    """Print the figures and verdict; exit 1 unless the verdict is clean."""
    from starter.load.render import verdict

    if json:
        print(jsonlib.dumps(figures, indent=2))
    else:
        console.print(verdict(figures))
    if not figures["clean"]:
        raise typer.Exit(1)


def chosen_console(json: bool) -> Console:
    return Console(stderr=True) if json else out


def load(
    orders: Orders = 100,
    rate: Rate = 5.0,
    concurrency: Concurrency = 40,
    mix: Mix = DEFAULT_MIX,
    seed: Seed = 1,
    patience: Patience = 300,
    json: Json = False,
) -> None:
    """Run a mix of orders against the running system, then figures, end states and the audit; exits 1 on any miss."""
    console = chosen_console(json)
    chosen = plan(orders, rate, concurrency, mix, seed, patience)

    async def act() -> None:
        from starter.load.load import run_plan, with_verdict

        settings = Settings()
        figures = await run_plan(settings, chosen, console)
        report(await with_verdict(settings, figures), json, console)

    guarded(act)


def chaos(
    orders: Orders = 1000,
    rate: Rate = 5.0,
    concurrency: Concurrency = 40,
    mix: Mix = DEFAULT_MIX,
    seed: Seed = 1,
    patience: Patience = 900,
    workers: Annotated[int, typer.Option("--workers", min=1, help="worker processes polling the task queue")] = 2,
    kill_every: Annotated[int, typer.Option("--kill-every", min=0, help="SIGKILL a worker every K seconds (0: never)")] = 15,
    kill_server: Annotated[bool, typer.Option(help="SIGKILL the Temporal server once, mid-run")] = True,
    errors: Annotated[float, typer.Option("--errors", min=0, max=1, help="share of calls each stand-in fails")] = 0.1,
    lost: Annotated[float, typer.Option("--lost", min=0, max=1, help="share of answers each stand-in loses")] = 0.05,
    repair: Annotated[
        bool, typer.Option(help="every 20 s, reset orders stuck on a nondeterminism error, as `orders repair` does")
    ] = True,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="the system's data and logs (default: var/chaos-<time>)")
    ] = None,
    json: Json = False,
) -> None:
    """Run a load on a system of its own while killing workers and the server and failing the stand-ins; exits 1 on any loss."""
    console = chosen_console(json)
    root = directory or Path("var") / f"chaos-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    every = timedelta(seconds=kill_every) if kill_every else None
    chosen = plan(orders, rate, concurrency, mix, seed, patience)

    async def act() -> None:
        from starter.load.chaos import REPAIR_EVERY, ChaosPlan, run_chaos

        repairs = REPAIR_EVERY if repair else None
        figures = await run_chaos(ChaosPlan(chosen, root, workers, every, kill_server, errors, lost, repairs), console)
        report(figures, json, console)

    guarded(act)
