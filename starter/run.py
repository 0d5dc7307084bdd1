"""`orders run` (what `make run` does): start the system, show how to use it, prove it with the scenarios, serve."""

import asyncio
import signal

from rich.console import Console

from runtime.settings import Settings
from starter.console import out
from starter.errors import CliError
from starter.processes import Child
from starter.scenarios import SCENARIOS, run_suite_with
from starter.system import System


async def run_system(settings: Settings, console: Console | None = None) -> None:
    """What `make run` does: start, show how to use it, prove it with the scenarios, serve until stopped."""
    console = console or out
    system = System(settings)
    system.check_ports()
    console.print(f"starting Temporal, the sandbox and a worker (logs in {settings.var_dir}/) ...")
    async with system:
        print_guide(console, system)
        passed = await run_suite_with(settings, list(SCENARIOS), console)
        if not passed:
            logs = f"{settings.var_dir}/worker-*.log"
            console.print(f"[red]some scenarios failed[/red]: see the table above and {logs}")
        console.print("serving; press Ctrl-C to stop everything")
        dead = await until_stopped(system)
    if dead is not None:
        raise CliError(f"{dead.name} exited with code {dead.exit_code}, so everything was stopped; see {dead.log}")
    console.print("stopped")


def print_guide(console: Console, system: System) -> None:
    address = system.settings.temporal_address
    flag = "" if address == "127.0.0.1:7233" else f" --address {address}"
    console.print(f"[bold]Temporal Web UI[/bold]: {system.ui_url}   (orders: WorkflowType=\"OrderWorkflow\")")
    console.print("[bold]place an order[/bold]:   orders place --sku MUG-BLUE:1:1250")
    console.print("[bold]cancel an order[/bold]:  orders cancel ORDER_ID --reason CUSTOMER")
    console.print(
        f"    or: temporal workflow update execute{flag} --name cancel --workflow-id order-ORDER_ID "
        """--input '{"request_id": "r-1", "reason": "CUSTOMER"}'""",
        markup=False,
        soft_wrap=True,  # one line, so that it can be copied and pasted
    )


async def until_stopped(system: System) -> Child | None:
    """Until SIGINT/SIGTERM (None), or until a child dies (that child)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        dead = system.stopped_child()
        if dead is not None:
            return dead
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            pass
    return None
