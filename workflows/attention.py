"""NEEDS_ATTENTION: asking a person what to do about a step that cannot be done, and their answer."""

import asyncio
from collections.abc import Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import messages
    from domain.errors import OrderError
    from domain.lifecycle import OrderStatus
    from domain.requests import Resolution, ResolutionAction
    from workflows import patches
    from workflows.context import OrderContext


class Attention:
    """Puts the order in NEEDS_ATTENTION and waits for a person's resolution.

    A person's answer (the `resolve` update) is handed over with `answer`, which returns once
    `ask` has taken it. The order shows one problem at a time: a second problem (the carrier's
    deadline passing while a failed step waits for a person) is put to a person once the first
    is answered.
    """

    def __init__(self, ctx: OrderContext) -> None:
        self._ctx = ctx
        self._answer: Resolution | None = None
        self._one_at_a_time = asyncio.Lock()

    def check(self, resolution: Resolution) -> None:
        """Refuse a resolution when nobody waits for one, or when it does not fit the problem."""
        order = self._ctx.order
        problem = order.attention
        if problem is None or self._answer is not None:
            raise OrderError(f"order {order.order_id} is not waiting for a resolution")
        if resolution.action not in problem.actions:
            allowed = ", ".join(problem.actions)
            raise OrderError(f"{resolution.action} does not resolve '{problem.problem}'; use one of {allowed}")

    async def answer(self, resolution: Resolution) -> None:
        """A person's resolution: returns once the waiting step has taken it."""
        self._answer = resolution
        await workflow.wait_condition(lambda: self._answer is None)

    async def ask(
        self,
        problem: str,
        step: str,
        actions: list[ResolutionAction],
        request_id: str | None = None,
        still_open: Callable[[], bool] = lambda: True,
    ) -> Resolution | None:
        """Say what failed and wait for a person's resolution; None when the attention was
        closed otherwise (a cancellation took the order over, or the carrier answered), or when
        the problem was `still_open` no more by the time the one before it was answered."""
        if not workflow.patched(patches.ONE_PROBLEM_AT_A_TIME):
            return await self._ask(problem, step, actions, request_id)
        await self._ctx.acquire(self._one_at_a_time)
        try:
            if not still_open() and workflow.patched(patches.ASK_ONLY_OPEN_PROBLEMS):
                return None
            return await self._ask(problem, step, actions, request_id)
        finally:
            self._one_at_a_time.release()

    async def _ask(
        self, problem: str, step: str, actions: list[ResolutionAction], request_id: str | None
    ) -> Resolution | None:
        ctx, order = self._ctx, self._ctx.order
        order.record_attention(problem, step, actions, workflow.now(), request_id)
        ctx.publish()
        count = sum(1 for entry in order.timeline if entry.event == OrderStatus.NEEDS_ATTENTION.value)
        ctx.post(messages.escalation(order, ctx.policy.customer_service_email, problem, f"attention-{count}"))
        await ctx.until(lambda: self._answer is not None or order.attention is None)
        resolution, self._answer = self._answer, None
        if resolution is None or order.attention is None:
            # A cancellation closed the attention in the same moment a resolution arrived: the
            # cancellation has taken the order over, and the resolution has nothing left to resolve.
            return None
        order.record_resolved(resolution.action, resolution.by, workflow.now(), resolution.note)
        ctx.publish()
        return resolution
