"""Waiting on a condition instead of sleeping: tests of processes that restart cannot know how long that takes."""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable


async def until(condition: Callable[[], bool | Awaitable[bool]], *, what: str, timeout: float = 60) -> None:
    """Check `condition` every little while until it holds; TimeoutError names what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        held = condition()
        if await held if inspect.isawaitable(held) else held:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"still waiting for {what} after {timeout:.0f}s")
        await asyncio.sleep(0.1)
