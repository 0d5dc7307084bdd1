"""Refunds of partial cancellations, followed to their end beside the rest of the order."""

import asyncio
from collections.abc import Awaitable, Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import messages
    from domain.cancellation import Compensation, Decision
    from domain.payment import Ledger
    from domain.requests import CancellationRequest
    from workflows.context import OrderContext

Compensate = Callable[[Compensation, CancellationRequest, int], Awaitable[int]]


class Following:
    """A refund can take days to settle; the lines still open should not wait for it.

    A partial cancellation's refund is started with its other steps; here it is followed to the
    end (and put to a person if it fails), one refund at a time, oldest first. Its customer
    notice goes out once the money is back, saying where it went. Whatever needs every refund
    settled (cancelling the rest of the order, completing it) waits until this is `idle`.
    """

    def __init__(self, ctx: OrderContext, compensate: Compensate) -> None:
        self._ctx = ctx
        self._compensate = compensate
        self._queue: list[tuple[CancellationRequest, Decision, Compensation, int]] = []

    @property
    def idle(self) -> bool:
        return not self._queue

    def follow(self, request: CancellationRequest, decision: Decision, refund: Compensation, attempt: int) -> None:
        self._queue.append((request, decision, refund, attempt))
        if len(self._queue) == 1:
            asyncio.create_task(self._follow_all())

    async def _follow_all(self) -> None:
        while self._queue:
            request, decision, refund, attempt = self._queue[0]
            since = Ledger.of(self._ctx.order.money)
            await self._compensate(refund, request, attempt)
            self._queue.pop(0)
            if request.notify_customer:
                tell_partial(self._ctx, since, request, decision)


def tell_partial(ctx: OrderContext, since: Ledger, request: CancellationRequest, decision: Decision) -> None:
    """The customer's notice of a partial cancellation, saying where its money went since `since`."""
    ctx.post(messages.partial_cancellation(ctx.order, request, decision.selection, *since.gone_back(ctx.order.money)))
