"""Undoing what happened: the compensations of accepted decisions, run oldest first."""

from collections.abc import Callable
from dataclasses import dataclass

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import messages
    from domain.cancellation import Compensation, Decision, Step
    from domain.payment import Ledger
    from domain.requests import SURPLUS_ID, CancellationRequest, CancelReason, RefundDestination, RequestedBy, Verdict
    from workflows import patches
    from workflows.attention import Attention
    from workflows.compensation import Compensator
    from workflows.context import OrderContext
    from workflows.following import Following, tell_partial
    from workflows.step_failures import StepChanged, StepFailed


# The system's own request to give back a surplus: it names the idempotency keys of the steps.
SURPLUS = CancellationRequest(
    request_id=SURPLUS_ID,
    reason=CancelReason.OTHER,
    requested_by=RequestedBy.SYSTEM,
    note="taken for lines cancelled while a step's answer was lost",
)


class OrderEnded(Exception):
    """Unwinds the forward story once the order has been cancelled."""


@dataclass(frozen=True)
class Accepted:
    """A decision whose compensations are to run; `then` hears the attempt after the last one used."""

    request: CancellationRequest
    decision: Decision
    then: Callable[[int], None] | None


class Reversal:
    """Owns the work that decisions set in motion, and runs it step by step through the Compensator.

    The Inbox hands each decision over with `accept`; the forward story calls `run` between its
    steps. A step that cannot be done is put to a person, again each time it fails, so no step is
    ever skipped silently. A partial cancellation's refund is followed beside the rest of the
    order (Following); a whole cancellation waits for those refunds first, so that it gives back
    what is still captured once they have settled. Once the whole order is cancelled, `run`
    raises OrderEnded.
    """

    def __init__(self, ctx: OrderContext, attention: Attention) -> None:
        self._ctx = ctx
        self._attention = attention
        self._compensator = Compensator(ctx)
        self._following = Following(ctx, self.compensate)
        self._accepted: list[Accepted] = []

    def accept(self, request: CancellationRequest, decision: Decision, then: Callable[[int], None] | None = None) -> None:
        """Queue a decision's compensations (and its ending of the order) to run after those accepted before."""
        self._accepted.append(Accepted(request, decision, then))

    @property
    def has_work(self) -> bool:
        return bool(self._accepted)

    @property
    def idle(self) -> bool:
        """Nothing to run, no refund being followed and no intercept awaiting the carrier's answer."""
        open_request = self._ctx.order.open_request
        intercepting = open_request is not None and open_request.outcome is Verdict.INTERCEPT_REQUESTED
        return not self._accepted and self._following.idle and not intercepting

    @property
    def refunds_settled(self) -> bool:
        """No partial cancellation's refund is still being followed."""
        return self._following.idle

    async def run(self) -> None:
        """Run the compensations of accepted decisions, oldest first."""
        ctx, order = self._ctx, self._ctx.order
        while self._accepted:
            work = self._accepted[0]
            request, decision = work.request, work.decision
            if decision.full and not self._following.idle:
                await ctx.until(lambda: self._following.idle)
            since, followed = Ledger.of(order.money), False
            attempt = 0
            for step in decision.compensations:
                step = step.fixed(order)
                if self._follows_beside(decision, step):
                    attempt = await self.compensate(step, request, follow=False)
                    if self._compensator.refund_on_its_way(step, request, attempt):
                        self._following.follow(request, decision, step, attempt)
                        followed = True
                    continue
                attempt = await self.compensate(step, request)
            self._accepted.pop(0)
            if decision.full and decision.accepted:
                order.record_cancelled(workflow.now())
                ctx.publish()
                if request.notify_customer:
                    ctx.post(messages.cancellation(order, request))
                raise OrderEnded()
            if decision.accepted and request.notify_customer and not followed:
                tell_partial(ctx, since, request, decision)
            if work.then is not None:
                work.then(attempt + 1)

    async def give_back(self, surplus: Compensation | None) -> None:
        """Give back what a step re-sent after its answer was lost took for lines cancelled
        meanwhile (domain.cancellation.surplus_*); money taken so is owned up to the customer."""
        if surplus is None:
            return
        order = self._ctx.order
        since = Ledger.of(order.money)
        await self.compensate(surplus, SURPLUS)
        if surplus.step is Step.REFUND_PAYMENT:
            self._ctx.post(messages.charge_correction(order, *since.gone_back(order.money)))

    def _follows_beside(self, decision: Decision, step: Compensation) -> bool:
        """A partial cancellation's refund to the card is started here and followed beside the order."""
        partial_refund = step.step is Step.REFUND_PAYMENT and step.refund_to is RefundDestination.ORIGINAL
        return partial_refund and not decision.full and workflow.patched(patches.FOLLOW_PARTIAL_REFUNDS_BESIDE)

    async def compensate(
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
