"""`orders run --workers N` puts N worker processes on the task queue, each under its own identity."""

from pathlib import Path

import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from runtime.settings import Settings
from runtime.temporal import connect
from starter.system import System, isolated_settings

pytestmark = pytest.mark.e2e


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


async def test_two_workers_poll_the_task_queue_each_under_its_own_identity(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    async with System(settings, workers=2) as system:
        workers = {worker.name: worker.pid for worker in system.workers}
        identities = await workflow_pollers(settings)

    assert list(workers) == ["worker-1", "worker-2"]
    assert {identity.split("@")[0] for identity in identities} == {str(pid) for pid in workers.values()}, identities
    assert {path.name for path in settings.var_dir.glob("worker-*.log")} == {"worker-1.log", "worker-2.log"}
