"""The whole system (dev server, stand-ins, worker) started once per session, as `orders run` starts it,
but on free ports and in a temporary directory, so it runs beside a developer's own `make run`."""

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest

from runtime.settings import Settings
from starter.client import OrdersClient
from starter.system import PROJECT_ROOT, System, child_env, isolated_settings


def orders(
    settings: Settings, *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The `orders` command as a user runs it: its own process, configured by the environment
    (`settings`, then `env` over them: a value Settings could not hold, as a person may export it)."""
    return subprocess.run(
        [sys.executable, "-m", "starter", *args],
        env={**child_env(settings), **(env or {})},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def until_visible(settings: Settings, query: str, count: int, timeout: float = 10) -> None:
    """Visibility trails a workflow's search attributes by a moment: wait until `query` finds `count`."""
    client = (await OrdersClient.connect(settings)).client
    deadline = time.monotonic() + timeout
    while (found := (await client.count_workflows(query)).count) != count:
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{query!r} finds {found} workflow(s), not {count}, after {timeout}s")
        await asyncio.sleep(0.05)


@pytest.fixture(scope="session")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    async with System(isolated_settings(tmp_path_factory.mktemp("system"))) as running:
        yield running
