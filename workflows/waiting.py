"""Awaiting activities and conditions without ever being abandoned by a Temporal cancel request.

A Temporal cancel request arrives as asyncio.CancelledError in whatever the workflow awaits.
Here it is handed to the workflow, which decides it like any other cancellation request,
and the awaiting goes on.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.policy import Policy
    from workflows import options

Argument = TypeVar("Argument")
Result = TypeVar("Result")


class Waiting:
    """Awaits activities and conditions for one order; `on_cancel` hears each Temporal cancel request."""

    def __init__(self, policy: Policy, on_cancel: Callable[[], None]) -> None:
        self._policy = policy
        self._on_cancel = on_cancel

    async def call(
        self,
        activity: Callable[[Any, Argument], Awaitable[Result]],
        argument: Argument,
        profile: options.Profile = options.THIRD_PARTY,
    ) -> Result:
        handle = workflow.start_activity_method(activity, argument, **options.activity_options(profile, self._policy))
        while True:
            try:
                # Shielded: a Temporal cancel must not abandon a step whose outcome we need to undo.
                return await asyncio.shield(handle)
            except asyncio.CancelledError:
                self._on_cancel()

    async def acquire(self, lock: asyncio.Lock) -> None:
        """Take the lock; a Temporal cancel request heard meanwhile does not abandon the taking."""
        while True:
            try:
                await lock.acquire()
                return
            except asyncio.CancelledError:
                self._on_cancel()

    async def until(self, condition: Callable[[], bool], deadline: datetime | None = None) -> bool:
        """Wait for the condition: True once it holds, False when the deadline comes first."""
        while True:
            remaining = None if deadline is None else max(deadline - workflow.now(), timedelta(0))
            try:
                await workflow.wait_condition(condition, timeout=remaining)
                return True
            except TimeoutError:
                return False
            except asyncio.CancelledError:
                self._on_cancel()
