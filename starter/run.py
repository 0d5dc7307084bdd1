"""`orders run` (what `make run` does): start the system, show how to use it, prove it with the scenarios, serve."""

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from runtime.logs import configure_logging
from runtime.settings import Settings
from runtime.webhook_subscribers import receiver_stand_in
from starter.console import out
from starter.order_service import Via
from starter.scenarios import SCENARIOS, run_suite_with
from starter.supervisor import Supervisor
from starter.system import System


async def run_system(
    settings: Settings, console: Console | None = None, *, workers: int = 1, via: Via = Via.TEMPORAL
) -> None:
    """What `make run` does: start, show how to use it, prove it with the scenarios, serve until stopped.

    From the start until Ctrl-C (or SIGTERM) the supervisor starts again any child that dies, so a
    crashed worker, stand-in or server does not take the others down; then all stop, in order.
    """
    console = console or out
    # Everything here talks to the dev server it starts, whatever TEMPORAL_* or a profile name.
    settings = settings.model_copy(update={"temporal_profiles": False})
    if not settings.webhook_subscribers:  # order events go to the receiver stand-in (sandbox.receiver)
        settings = settings.model_copy(update={"webhook_subscribers": receiver_stand_in(settings.sandbox_url)})
    system = System(settings, workers=workers)
    system.check_ports()
    console.print(f"starting Temporal, the sandbox, the API and {plural(workers, 'worker')} (logs in {settings.var_dir}/) ...")
    stop = asyncio.Event()
    with supervisor_log(settings):
        async with system, asyncio.TaskGroup() as group:
            group.create_task(Supervisor(system.children, say=console.print).run(stop))
            print_guide(console, system)
            passed = await run_suite_with(settings, list(SCENARIOS), console, via)
            if not passed:
                logs = f"{settings.var_dir}/worker-*.log"
                console.print(f"[red]some scenarios failed[/red]: see the table above and {logs}")
            console.print("serving; press Ctrl-C to stop everything")
            stop_on_signals(stop)
    console.print("stopped")


def plural(count: int, noun: str) -> str:
    return f"a {noun}" if count == 1 else f"{count} {noun}s"


@contextmanager
def supervisor_log(settings: Settings) -> Iterator[None]:
    """This process logs to var/supervisor.log beside its children: the console keeps one line per event."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    with (settings.var_dir / "supervisor.log").open("a") as stream:
        configure_logging(settings, service="supervisor", stream=stream)
        yield


def stop_on_signals(stop: asyncio.Event) -> None:
    """Ctrl-C and SIGTERM set `stop` from now on (before, Ctrl-C interrupts the scenarios)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


def print_guide(console: Console, system: System) -> None:
    address = system.settings.temporal_address
    flag = "" if address == "127.0.0.1:7233" else f" --address {address}"
    console.print(f"[bold]Temporal Web UI[/bold]: {system.ui_url}   (orders: WorkflowType=\"OrderWorkflow\")")
    ports = [system.metrics_port(n) for n in range(1, system.worker_count + 1)]
    console.print(f"[bold]worker metrics[/bold]:   {', '.join(f'http://127.0.0.1:{port}/metrics' for port in ports)}")
    console.print(f"[bold]orders API[/bold]: {system.settings.api_url}/docs   (keys in {system.settings.var_dir}/api-keys.txt)")
    console.print("[bold]place an order[/bold]:   orders place --sku MUG-BLUE:1:1250")
    console.print("[bold]cancel an order[/bold]:  orders cancel ORDER_ID --reason CUSTOMER")
    console.print(
        f"    or: temporal workflow update execute{flag} --name cancel --workflow-id order-ORDER_ID "
        """--input '{"request_id": "r-1", "reason": "CUSTOMER"}'""",
        markup=False,
        soft_wrap=True,  # one line, so that it can be copied and pasted
    )
