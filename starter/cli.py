"""`orders`: start the system, place and cancel orders, look at them, run the scenario suite."""

from typing import Annotated

import typer

from runtime.settings import Settings
from starter import order_commands, staff_commands, view_commands, webhook_commands
from starter.audit.command import audit
from starter.client import OrdersClient
from starter.console import out
from starter.errors import CliError
from starter.guard import OrdersApp, guarded
from starter.load.command import chaos, load
from starter.order_service import Via
from starter.repair_command import repair_orders

app = OrdersApp(
    help="Order lifecycle on Temporal. Start everything with `orders run` (or `make run`).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# How the scenarios reach the orders: `--via api` sends every step the API offers with role keys.
ScenariosVia = Annotated[Via, typer.Option("--via", help="the scenarios drive the orders through Temporal or the HTTP API")]


@app.command()
def run(
    workers: Annotated[int, typer.Option("--workers", min=1, help="worker processes on the task queue")] = 1,
    faults: Annotated[
        str | None, typer.Option("--faults", help="faults the stand-ins inject, e.g. '*:error=0.1,lost=0.05' (README)")
    ] = None,
    via: ScenariosVia = Via.TEMPORAL,
) -> None:
    """Start Temporal, the sandbox and the workers; run the scenario suite; serve until Ctrl-C, restarting any that dies."""
    from starter.faults import checked_spec, configured_faults
    from starter.run import run_system

    async def act() -> None:
        chosen = {"faults": checked_spec(faults)} if faults is not None else {}
        settings = Settings().model_copy(update=chosen)
        configured_faults(settings)  # a bad ORDERS_FAULTS is one line now, not a sandbox that cannot start
        await run_system(settings, workers=workers, via=via)

    guarded(act)


@app.command()
def worker() -> None:
    """Run one worker on the orders task queue."""

    async def act() -> None:
        from worker import serve

        settings = Settings()
        await OrdersClient.connect(settings)  # an unreachable server then gets the one line that says what to do
        await serve(settings)

    guarded(act)


@app.command()
def sandbox() -> None:
    """Run the stand-ins for the payment gateway, the carrier and the mail server."""
    from starter.standins import serve

    guarded(lambda: serve(Settings()))


@app.command()
def codec() -> None:
    """Serve the payload codec for the Temporal Web UI and CLI (they show orders decoded through it)."""
    from starter.codec_server import serve

    guarded(lambda: serve(Settings()))


@app.command()
def api() -> None:
    """Serve the HTTP API (OpenAPI at /docs) on ORDERS_API_HOST:ORDERS_API_PORT; writes var/api-keys.txt on first start."""
    from api.serve import serve

    guarded(lambda: serve(Settings()))


@app.command()
def scenario(
    names: Annotated[list[str] | None, typer.Argument(help="scenarios to run")] = None,
    all_: Annotated[bool, typer.Option("--all", help="run every scenario")] = False,
    via: ScenariosVia = Via.TEMPORAL,
) -> None:
    """Run scenarios against the running system; exits 1 if any fails."""
    from starter.scenarios import SCENARIOS, run_suite_with

    chosen = list(SCENARIOS) if all_ else names or []
    unknown = [name for name in chosen if name not in SCENARIOS]

    async def act() -> None:
        if not chosen:
            raise CliError(f"name a scenario or pass --all: {', '.join(SCENARIOS)}")
        if unknown:
            raise CliError(f"unknown scenario {unknown[0]!r}: use one of {', '.join(SCENARIOS)}")
        if not await run_suite_with(Settings(), chosen, out, via):
            raise typer.Exit(1)

    guarded(act)


# In the order `orders --help` lists them: the system first, then what to do with orders.
for command in (order_commands.place, order_commands.cancel, staff_commands.review, staff_commands.resolve):
    app.command()(command)
app.command()(view_commands.status)
app.command("list")(view_commands.list_orders)
for command in (order_commands.event, order_commands.mail):
    app.command()(command)
app.command()(audit)
app.command()(load)
app.command()(chaos)
app.command("repair")(repair_orders)
app.add_typer(webhook_commands.app, name="webhooks")
