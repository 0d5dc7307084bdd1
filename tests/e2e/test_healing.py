"""A system that heals: a child that dies is started again while the others keep running, and
`orders run --workers N` puts N worker processes on the task queue."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from runtime.settings import Settings
from runtime.temporal import connect
from starter import readiness
from starter.processes import port_free
from starter.scenarios.context import context
from starter.scenarios.endings import expect_completed
from starter.scenarios.kit import SHORT_WINDOW, ScenarioOrder
from starter.supervisor import Supervisor
from starter.system import PROJECT_ROOT, System, child_env, isolated_settings
from tests.waiting import until

pytestmark = pytest.mark.e2e


@asynccontextmanager
async def supervised(system: System, said: list[str]) -> AsyncIterator[None]:
    """The system's children kept up, as `orders run` keeps them, until the block is left."""
    stop = asyncio.Event()
    async with asyncio.TaskGroup() as group:
        group.create_task(Supervisor(system.children, say=said.append).run(stop))
        try:
            yield
        finally:
            stop.set()


async def workflow_pollers(settings: Settings) -> list[str]:
    """The identities ("<pid>@<host>") polling the task queue for workflow tasks, as the server lists them."""
    client = await connect(settings)
    described = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace,
            task_queue=TaskQueue(name=settings.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return [poller.identity for poller in described.pollers]


async def test_a_killed_worker_is_replaced_and_an_order_placed_meanwhile_completes(tmp_path: Path) -> None:
    settings, said = isolated_settings(tmp_path), []
    async with System(settings) as system, supervised(system, said), context(settings) as ctx:
        children = {child.name: child for child in system.children}
        worker = children["worker-1"]
        killed = worker.pid
        kept = {name: children[name].pid for name in ("temporal", "sandbox")}

        os.kill(killed, signal.SIGKILL)
        run = ScenarioOrder(ctx, "placed_without_a_worker", window=SHORT_WINDOW)
        await run.place()
        await until(lambda: f"worker-1 is up again (pid {worker.pid})" in said, what="a new worker-1")
        polls = await readiness.worker_polls(settings)(worker)
        order = await run.deliver()
        await expect_completed(run, order, "CONFIRMATION")
        survivors = {name: children[name].pid for name in kept if children[name].exit_code is None}

    assert worker.pid != killed
    assert polls, f"worker-1 (pid {worker.pid}) does not poll {settings.task_queue}"
    assert survivors == kept
    assert said == ["worker-1 exited with code -9; restarting in 1s (restart 1)", f"worker-1 is up again (pid {worker.pid})"]


async def test_a_killed_server_comes_back_on_its_database_and_the_orders_go_on(tmp_path: Path) -> None:
    settings, said = isolated_settings(tmp_path), []
    async with System(settings) as system, supervised(system, said), context(settings) as ctx:
        server = next(child for child in system.children if child.name == "temporal")
        run = ScenarioOrder(ctx, "placed_before_the_server_died", window=SHORT_WINDOW)
        await run.place()
        await run.until_labelled()
        killed = server.pid

        os.kill(killed, signal.SIGKILL)
        await until(lambda: f"temporal is up again (pid {server.pid})" in said, what="a new temporal")
        order = await run.deliver()
        await expect_completed(run, order, "CONFIRMATION")

    assert server.pid != killed
    assert said[0] == "temporal exited with code -9; restarting in 1s (restart 1)"


async def test_two_workers_poll_the_task_queue_each_under_its_own_identity(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    async with System(settings, workers=2) as system:
        workers = {worker.name: worker.pid for worker in system.workers}
        identities = await workflow_pollers(settings)

    assert list(workers) == ["worker-1", "worker-2"]
    assert {identity.split("@")[0] for identity in identities} == {str(pid) for pid in workers.values()}, identities
    assert {path.name for path in settings.var_dir.glob("worker-*.log")} == {"worker-1.log", "worker-2.log"}


async def test_orders_run_restarts_a_killed_worker_and_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    run = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "starter", "run", "--workers", "2",
        env=child_env(settings), cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert run.stdout is not None
    console: list[str] = []

    async def read_until(text: str) -> None:
        while text not in (line := (await run.stdout.readline()).decode()):
            assert line, f"orders run ended before printing {text!r}:\n{''.join(console)}"
            console.append(line)

    try:
        await asyncio.wait_for(read_until("serving; press Ctrl-C"), timeout=280)
        workers = [int(identity.split("@")[0]) for identity in await workflow_pollers(settings)]
        os.kill(workers[0], signal.SIGKILL)
        await asyncio.wait_for(read_until("is up again"), timeout=60)
        run.send_signal(signal.SIGINT)
        rest, _ = await asyncio.wait_for(run.communicate(), timeout=60)
    finally:
        if run.returncode is None:
            run.kill()

    assert len(workers) == 2
    assert any("exited with code -9; restarting in 1s (restart 1)" in line for line in console), "".join(console)
    assert run.returncode == 0, rest.decode()
    assert rest.decode().strip() == "stopped"
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert port_free("127.0.0.1", int(settings.temporal_address.split(":")[1]))
