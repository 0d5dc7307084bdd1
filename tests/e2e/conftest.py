"""The whole system (dev server, stand-ins, worker) started once per session, as `orders run` starts it,
but on free ports and in a temporary directory, so it runs beside a developer's own `make run`."""

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from runtime.settings import Settings
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


@pytest.fixture(scope="session")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    async with System(isolated_settings(tmp_path_factory.mktemp("system"))) as running:
        yield running
