"""`orders chaos`: a load on a system of its own while its workers are SIGKILLed every K seconds, its
Temporal server SIGKILLed once mid-run, and every stand-in endpoint fails or loses answers.

The system is its own (starter.system on free ports, its data and logs in one directory), never the one
`make run` keeps: chaos must know every pid it kills, and must not kill a developer's server. The
supervisor restarts what dies, on a shorter backoff than `orders run`'s (CHAOS_BACKOFF), so that
killing a worker every K seconds tests healing rather than waiting out ever longer backoffs.
"""

import asyncio
import itertools
import logging
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.service import RPCError

from runtime.settings import Settings
from starter import readiness
from starter.client import OrdersClient
from starter.errors import CliError
from starter.load.figures import OrderResult
from starter.load.load import LoadPlan, run_plan, with_verdict
from starter.load.plugs import clear_faults, set_faults
from starter.processes import Child
from starter.repair import repair, stuck_orders, unreplayable_orders
from starter.run import supervisor_log
from starter.supervisor import Backoff, Supervisor
from starter.system import System, isolated_settings

CHAOS_BACKOFF = Backoff(first=timedelta(seconds=1), cap=timedelta(seconds=4))
REPAIR_EVERY = timedelta(seconds=20)


@dataclass(frozen=True)
class ChaosPlan:
    load: LoadPlan
    root: Path  # the system's data and logs
    workers: int
    kill_every: timedelta | None  # None: no worker is killed
    kill_server: bool
    errors: float  # share of calls to each stand-in endpoint that fail
    lost: float  # share whose answer is lost after the work is done
    repair_every: timedelta | None = REPAIR_EVERY  # None: orders stuck on nondeterminism stay stuck


class Chaos:
    """What chaos did, in order: each action with the seconds since the start, printed as it happens."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.actions: list[dict[str, Any]] = []

    def say(self, what: str) -> None:
        at = round(time.monotonic() - self.started, 1)
        self.actions.append({"at_s": at, "what": what})
        self.console.print(f"[dim]{at:7.1f}s[/dim] {escape(what)}")

    def kill(self, child: Child, why: str) -> None:
        pid = child.pid
        os.kill(pid, signal.SIGKILL)
        self.say(f"SIGKILL {child.name} (pid {pid}): {why}")

    async def kill_workers(self, workers: list[Child], every: timedelta) -> None:
        """Every `every`, SIGKILL the next worker (in turn) that is running."""
        for worker in itertools.cycle(workers):
            await asyncio.sleep(every.total_seconds())
            running = worker if worker.exit_code is None else next((w for w in workers if w.exit_code is None), None)
            if running is not None:
                self.kill(running, f"every {every.total_seconds():g}s")

    async def repair_stuck(self, settings: Settings, every: timedelta) -> None:
        """Every `every`, what an operator would do with `orders repair`: reset each order stuck on a
        nondeterminism error (starter.repair says how a killed worker can leave one so)."""
        while True:
            await asyncio.sleep(every.total_seconds())
            await self.repair_round(settings)

    async def repair_round(self, settings: Settings) -> None:
        try:
            client = (await OrdersClient.connect(settings)).client
            # Flagged by Temporal, and waiting ones a query finds: chaos's driver waits on their views.
            stuck = {*await stuck_orders(client), *await unreplayable_orders(client)}
        except (CliError, RPCError) as error:  # the server is down for a moment: the next round tries again
            self.say(f"repair round skipped: {error}")
            return
        for workflow_id in sorted(stuck):
            try:
                done = await repair(client, workflow_id)
            except RPCError as error:
                self.say(f"repair of {workflow_id} skipped until the next round: {error}")
                continue
            if done.new_run_id is not None:
                self.say(f"repaired {workflow_id}: redid the task completed at event {done.reset_to} ({done.problem})")

    async def kill_server_when(self, server: Child, half: asyncio.Event) -> None:
        await half.wait()
        self.kill(server, "once, mid-run; the supervisor restarts it on the same database")

    def counts(self) -> dict[str, int]:
        said = [action["what"] for action in self.actions]
        return {
            "worker_kills": sum(w.startswith("SIGKILL worker-") for w in said),
            "server_kills": sum(w.startswith("SIGKILL temporal") for w in said),
            "restarts": sum(" is up again " in w for w in said),
            "repairs": sum(w.startswith("repaired ") for w in said),
        }


async def all_ready(children: list[Child]) -> None:
    """Each child answers again (the supervisor may still be restarting one)."""
    for child in children:
        while child.exit_code is not None:
            await asyncio.sleep(0.25)
        await readiness.until_ready(child, timeout=120)


@contextmanager
def logs_aside(settings: Settings) -> Iterator[None]:
    """The supervisor's log and the Temporal client's complaints while the server is down (warnings from its
    Rust core) go to var/supervisor.log, not between the actions on the console. Call before any client."""
    forward = LogForwardingConfig(logger=logging.getLogger("temporalio.core"))
    quiet = LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"), forwarding=forward)
    Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=quiet)), error_if_already_set=False)
    with supervisor_log(settings):
        yield


async def run_chaos(plan: ChaosPlan, console: Console) -> dict[str, Any]:
    """Start the system, load it under chaos, then heal, switch the faults off and judge: the figures and verdict."""
    settings = isolated_settings(plan.root)
    with logs_aside(settings):
        return await chaos_on(settings, plan, console)


async def chaos_on(settings: Settings, plan: ChaosPlan, console: Console) -> dict[str, Any]:
    chaos = Chaos(console)
    chaos.say(f"starting Temporal, the stand-ins and {plan.workers} workers (data and logs in {settings.var_dir})")
    async with System(settings, workers=plan.workers) as system:
        # Before the task group: stand-ins that take no faults are one line, not an exception group.
        faults = await set_faults(settings, errors=plan.errors, lost=plan.lost)
        if faults:
            chaos.say(f"faults on every stand-in endpoint: {faults}")
        async with asyncio.TaskGroup() as group:
            stop = asyncio.Event()
            group.create_task(Supervisor(system.children, say=chaos.say, backoff=CHAOS_BACKOFF).run(stop))
            half, ended = asyncio.Event(), 0

            def watch(_: OrderResult) -> None:
                nonlocal ended
                ended += 1
                if ended * 2 >= plan.load.orders:
                    half.set()

            monkeys = []
            if plan.kill_every is not None:
                monkeys.append(group.create_task(chaos.kill_workers(system.workers, plan.kill_every)))
            if plan.repair_every is not None:
                monkeys.append(group.create_task(chaos.repair_stuck(settings, plan.repair_every)))
            if plan.kill_server:
                server = next(child for child in system.children if child.name == "temporal")
                monkeys.append(group.create_task(chaos.kill_server_when(server, half)))
            try:
                figures = await run_plan(settings, plan.load, console, watch)
            finally:
                for monkey in monkeys:
                    monkey.cancel()
            chaos.say("load done; chaos stops: waiting for every process to answer")
            await all_ready(system.children)
            if plan.repair_every is not None:
                await chaos.repair_round(settings)  # the last kills may have left an order stuck since the last round
            if faults:
                await clear_faults(settings)
                chaos.say("faults off, so that the audit can read every store")
            chaos.say("auditing every order")
            judged = await with_verdict(settings, figures)
            stop.set()
    chaos.say("system stopped")
    return judged | {"chaos": {"dir": str(plan.root), "faults": faults, **chaos.counts(), "actions": chaos.actions}}
