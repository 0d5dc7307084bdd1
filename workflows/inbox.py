"""Cancellation requests, reviews and shipment events: decided and applied on settled facts."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import messages
    from domain.cancellation import (
        Compensation,
        Decision,
        Step,
        check_request,
        decide,
        notifies_customer,
        settle_intercept,
        settle_review,
    )
    from domain.errors import OrderError
    from domain.policy import OnReviewTimeout
    from domain.requests import CancellationRequest, CancellationReview, ResolutionAction, ReviewDecision, Verdict
    from domain.shipment import ShipmentEvent, ShipmentEventType
    from workflows import patches
    from workflows.attention import Attention
    from workflows.context import OrderContext
    from workflows.reversal import Reversal

Inbound = CancellationRequest | CancellationReview


class Inbox:
    """Holds what other systems send one order, and decides it with domain.cancellation.

    What arrives while a step is held (`holding`) waits until the step has finished and the
    forward story settles it (`settle_waiting`); otherwise it is decided at once. A decision
    that sets compensations in motion is handed to the Reversal. A request left open (awaiting
    a review or the carrier's answer to an intercept) has a deadline, after which a person is
    asked.
    """

    def __init__(self, ctx: OrderContext, attention: Attention, reversal: Reversal) -> None:
        self._ctx = ctx
        self._attention = attention
        self._reversal = reversal
        self._messages: list[Inbound] = []
        self._events: list[ShipmentEvent] = []
        self._holding = False

    @asynccontextmanager
    async def holding(self) -> AsyncIterator[None]:
        """While a step is in flight, what arrives waits for its result instead of being decided on stale facts."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    @property
    def idle(self) -> bool:
        """Nothing waits here to be decided or applied, and no step holds the order."""
        return not (self._messages or self._events or self._holding)

    def take_up_reviews(self) -> None:
        """A continued run: the reviews still awaited get their deadlines back, as they stood."""
        for record in self._ctx.order.cancellations:
            if record.outcome is Verdict.PENDING_REVIEW and not record.escalated:
                asyncio.create_task(self._review_deadline(record.request_id))

    def receive(self, message: Inbound) -> None:
        self._messages.append(message)
        if not self._holding:
            self._settle()

    def receive_first(self, request: CancellationRequest) -> None:
        """Put a request ahead of all waiting ones; the next `settle_waiting` decides it."""
        self._messages.insert(0, request)

    def receive_event(self, event: ShipmentEvent) -> None:
        self._events.append(event)
        if not self._holding:
            self._apply_events()

    def settle_waiting(self) -> None:
        """After a step: apply the scans that arrived meanwhile, then decide the requests that waited."""
        self._apply_events()
        self._settle()

    def check_request(self, request: CancellationRequest) -> None:
        """Refuse what domain.cancellation refuses, counting the requests still waiting here."""
        check_request(self._ctx.order, request, [m for m in self._messages if isinstance(m, CancellationRequest)])

    def check_review(self, review: CancellationReview) -> None:
        """Refuse a review of a request that is not awaiting one."""
        order = self._ctx.order
        record = order.cancellation(review.request_id)
        if record is None:
            raise OrderError(f"order {order.order_id} has no cancellation request {review.request_id!r}")
        if record.outcome is not Verdict.PENDING_REVIEW or any(
            isinstance(i, CancellationReview) and i.request_id == review.request_id for i in self._messages
        ):
            raise OrderError(f"request {review.request_id!r} is not awaiting review (it is {record.outcome})")

    def _settle(self) -> None:
        order = self._ctx.order
        while self._messages:
            message = self._messages.pop(0)
            if isinstance(message, CancellationReview):
                self._settle_review(message)
                continue
            decision = decide(order, message, self._ctx.policy, workflow.now())
            if decision.repeated:
                continue
            order.record_answer(message, decision.outcome, decision.selection, workflow.now(), decision.superseded)
            self._follow(message, decision)
            if decision.outcome.outcome is Verdict.PENDING_REVIEW:
                asyncio.create_task(self._review_deadline(message.request_id))
        self._ctx.publish()

    def _follow(self, request: CancellationRequest, decision: Decision) -> None:
        """Hand what a decision sets in motion to the Reversal, and tell the customer what they must know now."""
        workflow.logger.info(
            "cancellation %s: %s %s", request.request_id, decision.outcome.outcome, decision.outcome.reason_code or ""
        )
        intercept = decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED
        if decision.compensations or decision.accepted:
            # An intercept's compensation is the request to the carrier; then its answer is awaited.
            then = partial(self._await_intercept_answer, request.request_id) if intercept else None
            self._reversal.accept(request, decision, then)
        if notifies_customer(request, decision):
            tell = messages.recall_requested if intercept else messages.rejection
            self._ctx.post(tell(self._ctx.order, decision.outcome))

    def _settle_review(self, review: CancellationReview) -> None:
        order = self._ctx.order
        record = order.cancellation(review.request_id)
        if record is None or record.outcome is not Verdict.PENDING_REVIEW:
            return
        decision = settle_review(order, record, review)
        record.record_review(review.reviewer, review.note)
        order.record_settlement(review.request_id, decision.outcome, decision.selection, workflow.now())
        self._follow(record.request(), decision)

    def _settle_intercept(self, *, returned: bool) -> None:
        order = self._ctx.order
        record = order.open_request
        if record is None or record.outcome is not Verdict.INTERCEPT_REQUESTED:
            return
        problem = order.attention
        if problem is not None and problem.step == Step.REQUEST_INTERCEPT.value:
            order.record_resolved(ResolutionAction.MARK_RESOLVED, "carrier", workflow.now(), "the carrier answered")
        decision = settle_intercept(order, record, returned)
        order.record_settlement(record.request_id, decision.outcome, decision.selection, workflow.now())
        self._follow(record.request(), decision)
        # Also when a person closed the intercept, not the carrier: PendingCancellation is over.
        if workflow.patched(patches.PUBLISH_INTERCEPT_SETTLEMENT):
            self._ctx.publish()

    def _apply_events(self) -> None:
        order = self._ctx.order
        while self._events:
            event = self._events.pop(0)
            if not order.record_shipment_event(event, event.at or workflow.now()):
                continue
            if event.type is ShipmentEventType.RETURNED_TO_SENDER:
                self._settle_intercept(returned=True)
            elif event.type in (ShipmentEventType.INTERCEPT_FAILED, ShipmentEventType.DELIVERED):
                self._settle_intercept(returned=False)
        self._ctx.publish()

    async def _review_deadline(self, request_id: str) -> None:
        """Escalate a review nobody decided in time; per policy, approve it or keep waiting."""
        ctx, order = self._ctx, self._ctx.order
        record = order.cancellation(request_id)
        assert record is not None
        try:
            # From the request's own time, so that a continued run keeps the deadline it had.
            remaining = max(record.at + ctx.policy.review_deadline - workflow.now(), timedelta(0))
            await workflow.wait_condition(lambda: record.outcome is not Verdict.PENDING_REVIEW, timeout=remaining)
            return
        except TimeoutError:
            pass
        record.escalate()
        problem = f"cancellation request {request_id} has waited {ctx.policy.review_deadline} for review"
        ctx.post(messages.escalation(order, ctx.policy.customer_service_email, problem, f"review-{request_id}"))
        order.note(workflow.now(), "REVIEW_ESCALATED", request_id)
        ctx.publish()
        if ctx.policy.on_review_timeout is OnReviewTimeout.APPROVE:
            self.receive(CancellationReview(request_id=request_id, decision=ReviewDecision.APPROVE, reviewer="policy"))

    def _await_intercept_answer(self, request_id: str, attempt: int) -> None:
        if self._ctx.order.parcel_never_left:
            self._settle_intercept(returned=True)  # its label was voided instead: no answer will come
            return
        asyncio.create_task(self._intercept_deadline(request_id, attempt))

    async def _intercept_deadline(self, request_id: str, attempt: int) -> None:
        """A carrier that never answers an intercept must not leave the order waiting forever;
        each reminder files the intercept again under a key of its own, from `attempt` on."""
        record = self._ctx.order.cancellation(request_id)
        assert record is not None
        while record.open:
            try:
                await workflow.wait_condition(lambda: not record.open, timeout=self._ctx.policy.intercept_deadline)
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
                self._settle_intercept(returned=False)
                return
            attempt = await self._reversal.compensate(Compensation(step=Step.REQUEST_INTERCEPT), record.request(), attempt) + 1
