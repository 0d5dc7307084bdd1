"""How the supervisor knows each child is ready: it answers, not merely that it has started."""

import asyncio
import time

import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, DescribeTaskQueueRequest

from runtime.settings import Settings
from runtime.temporal import connect
from starter.errors import CliError
from starter.processes import Child, Probe


async def until_ready(child: Child, *, timeout: float) -> None:
    """Probe with a short backoff until the child is ready; fail early, with the log's last line, if it exits."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        if child.exit_code is not None:
            raise CliError(f"{child.name} exited with code {child.exit_code} ({child.log}): {child.last_line()}")
        try:
            if await child.is_ready():
                return
        except Exception:  # noqa: BLE001 - not answering yet is what we are waiting out
            pass
        if time.monotonic() >= deadline:
            raise CliError(f"{child.name} was not ready after {timeout:.0f}s ({child.log}): {child.last_line()}")
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def temporal_answers(settings: Settings) -> Probe:
    async def probe(_: Child) -> bool:
        client = await connect(settings)
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=settings.temporal_namespace))
        return True

    return probe


def sandbox_answers(settings: Settings) -> Probe:
    return _healthz(settings.sandbox_url)


def api_answers(settings: Settings) -> Probe:
    return _healthz(settings.api_url)


def _healthz(url: str) -> Probe:
    async def probe(_: Child) -> bool:
        async with httpx.AsyncClient(base_url=url, timeout=2) as http:
            return (await http.get("/healthz")).status_code == 200

    return probe


def codec_answers(url: str) -> Probe:
    async def probe(_: Child) -> bool:
        async with httpx.AsyncClient(base_url=url, timeout=2) as http:
            return (await http.get("/healthz")).status_code == 200

    return probe


def worker_polls(settings: Settings) -> Probe:
    """Ready when this very process polls the task queue: a previous run's worker is listed for minutes.
    It connects anew each time, so that it also works after the server it asks was restarted."""

    async def probe(worker: Child) -> bool:
        client = await connect(settings)
        described = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=settings.temporal_namespace,
                task_queue=TaskQueue(name=settings.task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        # The SDK's default worker identity is "<pid>@<host>".
        return any(poller.identity.startswith(f"{worker.pid}@") for poller in described.pollers)

    return probe
