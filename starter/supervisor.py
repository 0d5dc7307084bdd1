"""Keeping the system up: a child that dies is started again after a backoff, until the supervisor is stopped."""

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import structlog

from starter import readiness
from starter.errors import CliError
from starter.processes import Child

log = structlog.get_logger("supervisor")

# How often a child is looked at: Popen has no awaitable exit, and a dead worker costs at most this.
WATCH_EVERY = 0.25


@dataclass(frozen=True)
class Backoff:
    """How long a dead child waits before it is started again: `first`, doubled at each restart in a row, at most `cap`.

    A child that keeps dying is retried at `cap` forever rather than given up on: what kills it
    (a server still starting, a full disk) often passes, and every attempt is logged. One that was
    ready for `stable` or longer died of something new, so it starts again from `first`.
    """

    first: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(seconds=30)
    stable: timedelta = timedelta(seconds=60)

    def delay(self, restart: int) -> timedelta:
        """The wait before the `restart`-th restart in a row (counted from 1)."""
        delay = self.first
        for _ in range(restart - 1):
            if delay >= self.cap:
                break
            delay *= 2
        return min(delay, self.cap)

    def next_restart(self, previous: int, uptime: timedelta) -> int:
        """The count in a row of the restart a child needs that died after `uptime` ready, `previous` its last one."""
        return 1 if uptime >= self.stable else previous + 1


class Supervisor:
    """Watches each child on its own and starts it again when it dies, after `backoff`, until `run`'s stop is set.

    A restarted child is declared healthy only once its readiness probe answers (the server takes
    calls, the worker polls the task queue); one still not ready after `ready_timeout` is stopped and
    restarted like a dead one. Every death and recovery is logged (structlog) and told in one line
    through `say`. Stopping the children is left to System.stop, which knows their order.
    """

    def __init__(
        self,
        children: Sequence[Child],
        *,
        say: Callable[[str], object],
        backoff: Backoff = Backoff(),
        ready_timeout: float = 60.0,
    ) -> None:
        self.children = list(children)
        self.say = say
        self.backoff = backoff
        self.ready_timeout = ready_timeout

    async def run(self, stop: asyncio.Event) -> None:
        """Keep every child up until `stop` is set; the children are ready when it is called."""
        async with asyncio.TaskGroup() as group:
            watchers = [group.create_task(self._keep_up(child)) for child in self.children]
            await stop.wait()
            for watcher in watchers:
                watcher.cancel()

    async def _keep_up(self, child: Child) -> None:
        restarts = 0
        ready_since: float | None = time.monotonic()
        while True:
            code = await exited(child)
            uptime = timedelta(seconds=time.monotonic() - ready_since) if ready_since is not None else timedelta(0)
            restarts = self.backoff.next_restart(restarts, uptime)
            delay = self.backoff.delay(restarts)
            log.warning(
                "supervisor.child_exited",
                child=child.name,
                exit_code=code,
                uptime_s=round(uptime.total_seconds(), 1),
                restart=restarts,
                delay_s=delay.total_seconds(),
                log_file=str(child.log),
                last_line=child.last_line(),
            )
            self.say(f"{child.name} exited with code {code}; restarting in {delay.total_seconds():g}s (restart {restarts})")
            await asyncio.sleep(delay.total_seconds())
            ready_since = await self._restart(child, restarts)

    async def _restart(self, child: Child, restart: int) -> float | None:
        """Start it again and wait until it is ready: when it became so, or None if it did not (it is dead then)."""
        try:
            child.start()
        except OSError as error:  # e.g. no file descriptor left: the next attempt may find one
            log.error("supervisor.child_not_started", child=child.name, error=str(error), restart=restart)
            self.say(f"{child.name} could not be started ({error})")
            return None
        try:
            await readiness.until_ready(child, timeout=self.ready_timeout)
        except CliError as error:
            if child.exit_code is None:  # running but not answering: as good as dead
                log.error("supervisor.child_not_ready", child=child.name, pid=child.pid, restart=restart, error=str(error))
                self.say(f"{error}; stopping it")
                await asyncio.to_thread(child.stop)
            return None
        log.info("supervisor.child_ready", child=child.name, pid=child.pid, restart=restart)
        self.say(f"{child.name} is up again (pid {child.pid})")
        return time.monotonic()


async def exited(child: Child) -> int:
    """Its exit code, once it has exited."""
    while (code := child.exit_code) is None:
        await asyncio.sleep(WATCH_EVERY)
    return code
