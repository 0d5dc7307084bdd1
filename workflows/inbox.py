"""Cancellation requests, reviews and shipment events: decided and applied on settled facts."""

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import messages
    from domain.cancellation import Decision, Step, check_request, decide, notifies_customer, settle_intercept, settle_review
    from domain.errors import OrderError
    from domain.order import Order
    from domain.policy import OnReviewTimeout, Policy
    from domain.requests import CancellationRequest, CancellationReview, ResolutionAction, ReviewDecision, Verdict
    from domain.shipment import ShipmentEvent, ShipmentEventType
    from workflows import patches
    from workflows.outbox import Outbox
    from workflows.search import Publisher

Inbound = CancellationRequest | CancellationReview


class Inbox:
    """Holds what other systems send one order, and decides it with domain.cancellation.

    What arrives while a step is `in_flight` waits until the step has finished and the
    forward story settles it; otherwise it is decided at once. Decisions that set
    compensations in motion queue in `work`, oldest first, for the workflow to run.
    """

    def __init__(self, order: Order, policy: Policy, outbox: Outbox, publisher: Publisher) -> None:
        self._order = order
        self._policy = policy
        self._outbox = outbox
        self._publisher = publisher
        self._messages: list[Inbound] = []
        self._events: list[ShipmentEvent] = []
        self.work: list[tuple[CancellationRequest, Decision]] = []
        self.in_flight = False

    def receive(self, message: Inbound) -> None:
        self._messages.append(message)
        if not self.in_flight:
            self.settle()

    def receive_first(self, request: CancellationRequest) -> None:
        """Put a request ahead of all waiting ones; the next `settle` decides it."""
        self._messages.insert(0, request)

    def receive_event(self, event: ShipmentEvent) -> None:
        self._events.append(event)
        if not self.in_flight:
            self.apply_events()

    def check_request(self, request: CancellationRequest) -> None:
        """Refuse what domain.cancellation refuses, counting the requests still waiting here."""
        check_request(self._order, request, [m for m in self._messages if isinstance(m, CancellationRequest)])

    def check_review(self, review: CancellationReview) -> None:
        """Refuse a review of a request that is not awaiting one."""
        record = self._order.cancellation(review.request_id)
        if record is None:
            raise OrderError(f"order {self._order.order_id} has no cancellation request {review.request_id!r}")
        if record.outcome is not Verdict.PENDING_REVIEW or any(
            isinstance(i, CancellationReview) and i.request_id == review.request_id for i in self._messages
        ):
            raise OrderError(f"request {review.request_id!r} is not awaiting review (it is {record.outcome})")

    def settle(self) -> None:
        while self._messages:
            message = self._messages.pop(0)
            if isinstance(message, CancellationReview):
                self._settle_review(message)
                continue
            decision = decide(self._order, message, self._policy, workflow.now())
            if decision.repeated:
                continue
            self._order.record_answer(message, decision.outcome, decision.selection, workflow.now(), decision.superseded)
            self._follow(message, decision)
            if decision.outcome.outcome is Verdict.PENDING_REVIEW:
                asyncio.create_task(self._review_deadline(message.request_id))
        self._publisher.publish()

    def _follow(self, request: CancellationRequest, decision: Decision) -> None:
        """Queue what a decision sets in motion, and tell the customer what they must know now."""
        workflow.logger.info(
            "cancellation %s: %s %s", request.request_id, decision.outcome.outcome, decision.outcome.reason_code or ""
        )
        if decision.compensations or decision.accepted:
            self.work.append((request, decision))
        if notifies_customer(request, decision):
            if decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED:
                self._outbox.post(messages.recall_requested(self._order, decision.outcome))
            else:
                self._outbox.post(messages.rejection(self._order, decision.outcome))

    def _settle_review(self, review: CancellationReview) -> None:
        record = self._order.cancellation(review.request_id)
        if record is None or record.outcome is not Verdict.PENDING_REVIEW:
            return
        decision = settle_review(self._order, record, review)
        record.reviewed_by, record.review_note = review.reviewer, review.note
        self._order.record_settlement(review.request_id, decision.outcome, decision.selection, workflow.now())
        self._follow(record.request(), decision)

    def settle_intercept(self, *, returned: bool) -> None:
        record = self._order.open_request
        if record is None or record.outcome is not Verdict.INTERCEPT_REQUESTED:
            return
        attention = self._order.attention
        if attention is not None and attention.step == Step.REQUEST_INTERCEPT.value:
            self._order.record_resolved(ResolutionAction.MARK_RESOLVED, "carrier", workflow.now(), "the carrier answered")
        decision = settle_intercept(self._order, record, returned)
        self._order.record_settlement(record.request_id, decision.outcome, decision.selection, workflow.now())
        self._follow(record.request(), decision)
        # Also when a person closed the intercept, not the carrier: PendingCancellation is over.
        if workflow.patched(patches.PUBLISH_INTERCEPT_SETTLEMENT):
            self._publisher.publish()

    def apply_events(self) -> None:
        while self._events:
            event = self._events.pop(0)
            if not self._order.record_shipment_event(event, event.at or workflow.now()):
                continue
            if event.type is ShipmentEventType.RETURNED_TO_SENDER:
                self.settle_intercept(returned=True)
            elif event.type in (ShipmentEventType.INTERCEPT_FAILED, ShipmentEventType.DELIVERED):
                self.settle_intercept(returned=False)
        self._publisher.publish()

    async def _review_deadline(self, request_id: str) -> None:
        """Escalate a review nobody decided in time; per policy, approve it or keep waiting."""
        record = self._order.cancellation(request_id)
        assert record is not None
        try:
            await workflow.wait_condition(
                lambda: record.outcome is not Verdict.PENDING_REVIEW, timeout=self._policy.review_deadline
            )
            return
        except TimeoutError:
            pass
        record.escalated = True
        problem = f"cancellation request {request_id} has waited {self._policy.review_deadline} for review"
        self._outbox.post(
            messages.escalation(self._order, self._policy.customer_service_email, problem, f"review-{request_id}")
        )
        self._order.note(workflow.now(), "REVIEW_ESCALATED", request_id)
        self._publisher.publish()
        if self._policy.on_review_timeout is OnReviewTimeout.APPROVE:
            self.receive(CancellationReview(request_id=request_id, decision=ReviewDecision.APPROVE, reviewer="policy"))
