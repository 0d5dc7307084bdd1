"""The supervisor's backoff (pure) and its loop over real, tiny child processes: a dead child is started
again and declared healthy only once it answers; one that does not answer is stopped and tried again."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from starter.processes import Child
from starter.supervisor import Backoff, Supervisor
from tests.waiting import until

BACKOFF = Backoff(first=timedelta(seconds=1), cap=timedelta(seconds=30), stable=timedelta(seconds=60))
QUICK = Backoff(first=timedelta(milliseconds=10))


def test_the_delay_doubles_with_each_restart_in_a_row_up_to_the_cap() -> None:
    delays = [BACKOFF.delay(restart).total_seconds() for restart in range(1, 8)]

    assert delays == [1, 2, 4, 8, 16, 30, 30]


def test_a_child_that_keeps_dying_is_retried_at_the_cap_forever() -> None:
    assert BACKOFF.delay(100_000) == timedelta(seconds=30)


def test_a_child_that_stayed_ready_a_while_starts_again_from_the_first_delay() -> None:
    after_a_stable_run = BACKOFF.next_restart(6, uptime=timedelta(seconds=60))
    after_a_short_run = BACKOFF.next_restart(6, uptime=timedelta(seconds=59))

    assert after_a_stable_run == 1
    assert BACKOFF.delay(after_a_stable_run) == timedelta(seconds=1)
    assert after_a_short_run == 7


class Sleeper(Child):
    """A child that only sleeps, ready whenever the test says it answers."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(
            "sleeper",
            [sys.executable, "-c", "import time; time.sleep(600)"],
            log=tmp_path / "sleeper.log",
            env=os.environ,
            cwd=tmp_path,
            ready=self.answers,
        )
        self.answering = True

    async def answers(self, _: Child) -> bool:
        return self.answering


@asynccontextmanager
async def supervised(child: Child, said: list[str], *, ready_timeout: float = 60) -> AsyncIterator[None]:
    child.start()
    stop = asyncio.Event()
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(Supervisor([child], say=said.append, backoff=QUICK, ready_timeout=ready_timeout).run(stop))
            try:
                yield
            finally:
                stop.set()
    finally:
        child.stop()


async def test_a_killed_child_is_started_again_and_said_to_be_up_once_it_answers(tmp_path: Path) -> None:
    sleeper, said = Sleeper(tmp_path), []

    async with supervised(sleeper, said):
        first = sleeper.pid
        os.kill(first, signal.SIGKILL)
        await until(lambda: any("is up again" in line for line in said), what="the restart")

    assert sleeper.pid != first
    assert said == ["sleeper exited with code -9; restarting in 0.01s (restart 1)", f"sleeper is up again (pid {sleeper.pid})"]


async def test_a_restarted_child_that_does_not_answer_is_stopped_and_tried_again_later(tmp_path: Path) -> None:
    sleeper, said = Sleeper(tmp_path), []

    async with supervised(sleeper, said, ready_timeout=1):
        sleeper.answering = False
        os.kill(sleeper.pid, signal.SIGKILL)
        await until(lambda: any("(restart 2)" in line for line in said), what="a second restart")
        sleeper.answering = True
        await until(lambda: any("is up again" in line for line in said), what="the recovery")

    assert said[0] == "sleeper exited with code -9; restarting in 0.01s (restart 1)"
    assert said[1].startswith("sleeper was not ready after 1s") and said[1].endswith("; stopping it")
    assert said[2] == "sleeper exited with code -15; restarting in 0.02s (restart 2)"
    assert said[-1] == f"sleeper is up again (pid {sleeper.pid})"
