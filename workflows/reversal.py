"""Undoing what happened: the compensations of accepted decisions, run oldest first."""

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import messages
    from domain.cancellation import Compensation, Decision, Step
    from domain.order import Order
    from domain.policy import Policy
    from domain.requests import (
        SURPLUS_ID,
        CancellationRequest,
        CancelReason,
        RefundDestination,
        RequestedBy,
        ResolutionAction,
        Verdict,
    )
    from workflows import patches
    from workflows.attention import Attention
    from workflows.compensation import Compensator
    from workflows.following import Following, Ledger
    from workflows.inbox import Inbox
    from workflows.outbox import Outbox
    from workflows.search import Publisher
    from workflows.step_failures import StepChanged, StepFailed
    from workflows.waiting import Waiting


# The system's own request to give back a surplus: it names the idempotency keys of the steps.
SURPLUS = CancellationRequest(
    request_id=SURPLUS_ID,
    reason=CancelReason.OTHER,
    requested_by=RequestedBy.SYSTEM,
    note="taken for lines cancelled while a step's answer was lost",
)


class OrderEnded(Exception):
    """Unwinds the forward story once the order has been cancelled."""


class Reversal:
    """Runs the work that decisions queued in the inbox, step by step through the Compensator.

    A step that cannot be done is put to a person, again each time it fails, so no step is
    ever skipped silently. A partial cancellation's refund is followed beside the rest of the
    order (Following); a whole cancellation waits for those refunds first, so that it gives back
    what is still captured once they have settled. Once the whole order is cancelled, `run`
    raises OrderEnded.
    """

    def __init__(
        self,
        order: Order,
        policy: Policy,
        inbox: Inbox,
        compensator: Compensator,
        attention: Attention,
        outbox: Outbox,
        publisher: Publisher,
        waiting: Waiting,
    ) -> None:
        self._order = order
        self._policy = policy
        self._inbox = inbox
        self._compensator = compensator
        self._attention = attention
        self._outbox = outbox
        self._publisher = publisher
        self._waiting = waiting
        self.following = Following(order, outbox, self._compensate)

    async def run(self) -> None:
        """Run the compensations of accepted decisions, oldest first."""
        work = self._inbox.work
        while work:
            request, decision = work[0]
            if decision.full and not self.following.idle:
                await self._waiting.until(lambda: self.following.idle)
            since, followed = Ledger.of(self._order), False
            attempt = 0
            for step in decision.compensations:
                step = step.fixed(self._order)
                if self._follows_beside(decision, step):
                    attempt = await self._compensate(step, request, follow=False)
                    if self._compensator.refund_on_its_way(step, request, attempt):
                        self.following.follow(request, decision, step, attempt)
                        followed = True
                    continue
                attempt = await self._compensate(step, request)
            work.pop(0)
            if decision.full and decision.accepted:
                self._order.record_cancelled(workflow.now())
                self._publisher.publish()
                if request.notify_customer:
                    self._outbox.post(messages.cancellation(self._order, request))
                raise OrderEnded()
            if decision.accepted and request.notify_customer and not followed:
                since.tell_partial(self._outbox, self._order, request, decision)
            if decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED:
                # Its compensation is the intercept alone: a reminder asks under the next key.
                asyncio.create_task(self._intercept_deadline(request.request_id, attempt + 1))

    async def give_back(self, surplus: Compensation | None) -> None:
        """Give back what a step re-sent after its answer was lost took for lines cancelled
        meanwhile (domain.cancellation.surplus_*); money taken so is owned up to the customer."""
        if surplus is None:
            return
        since = Ledger.of(self._order)
        await self._compensate(surplus, SURPLUS)
        if surplus.step is Step.REFUND_PAYMENT:
            self._outbox.post(messages.charge_correction(self._order, *since.gone_back(self._order)))

    def _follows_beside(self, decision: Decision, step: Compensation) -> bool:
        """A partial cancellation's refund to the card is started here and followed beside the order."""
        partial_refund = step.step is Step.REFUND_PAYMENT and step.refund_to is RefundDestination.ORIGINAL
        return partial_refund and not decision.full and workflow.patched(patches.FOLLOW_PARTIAL_REFUNDS_BESIDE)

    async def _compensate(
        self, step: Compensation, request: CancellationRequest, attempt: int = 0, *, follow: bool = True
    ) -> int:
        """Run one step until it is done, asking a person each time it cannot be; the attempt
        (a part of its idempotency key) that did it. With `follow` off a refund is only started."""
        failure: StepFailed | None = None
        while True:
            try:
                if failure is None:
                    await self._compensator.run(step, request, attempt, follow=follow)
                    return attempt
                resolution = await self._attention.ask(str(failure), step.step.value, failure.actions, request.request_id)
                if resolution is None and self._compensator.refund_on_its_way(step, request, attempt):
                    # A cancellation took the order over, but money already on its way is followed to its end.
                    failure = None
                    continue
                if resolution is None or await self._compensator.resolve(step, request, resolution, attempt):
                    return attempt
                failure = None
            except StepChanged as changed:
                step = changed.step
            except StepFailed as failed:
                # The third party said no: asking it again needs a new idempotency key.
                failure, attempt = failed, attempt + failed.refused

    async def _intercept_deadline(self, request_id: str, attempt: int) -> None:
        """A carrier that never answers an intercept must not leave the order waiting forever;
        each reminder files the intercept again under a key of its own, from `attempt` on."""
        record = self._order.cancellation(request_id)
        assert record is not None
        while record.open:
            try:
                await workflow.wait_condition(lambda: not record.open, timeout=self._policy.intercept_deadline)
                return
            except TimeoutError:
                pass
            problem = f"the carrier has not answered intercept request {request_id}"
            actions = [ResolutionAction.RETRY, ResolutionAction.MARK_RESOLVED]
            resolution = await self._attention.ask(
                problem, Step.REQUEST_INTERCEPT.value, actions, request_id, still_open=lambda: record.open
            )
            if resolution is None or not record.open:
                return
            if resolution.action is ResolutionAction.MARK_RESOLVED:
                self._inbox.settle_intercept(returned=False)
                return
            attempt = await self._compensate(Compensation(step=Step.REQUEST_INTERCEPT), record.request(), attempt) + 1
