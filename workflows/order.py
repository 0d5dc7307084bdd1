"""The order workflow: one order's life, from placement to delivery or cancellation."""

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.errors import OrderError
    from domain.order import Order, OrderStatus
    from domain.placement import PlaceOrder
    from domain.requests import (
        TEMPORAL_CANCEL_ID,
        CancellationOutcome,
        CancellationRequest,
        CancellationReview,
        CancelReason,
        RequestedBy,
        Resolution,
        Verdict,
        parse,
        request_from_wire,
    )
    from domain.shipment import ShipmentEvent
    from workflows.attention import Attention
    from workflows.compensation import Compensator
    from workflows.fulfilment import Fulfilment
    from workflows.inbox import Inbox
    from workflows.outbox import Outbox
    from workflows.reversal import OrderEnded, Reversal
    from workflows.search import Publisher
    from workflows.waiting import Waiting


# An operator's `temporal workflow cancel` is decided like any other request, so it
# compensates instead of abandoning money and stock.
TEMPORAL_CANCEL = CancellationRequest(
    request_id=TEMPORAL_CANCEL_ID,
    reason=CancelReason.STAFF,
    requested_by=RequestedBy.CUSTOMER_SERVICE,
    note="Temporal cancel request",
)


@workflow.defn
class OrderWorkflow:
    """Carries one order from placement to delivery, and reverses it when it is cancelled.

    The forward story (Fulfilment) runs one step at a time. Cancellation requests and reviews
    (updates, signals, or a Temporal cancel) are decided by domain.cancellation (via the Inbox)
    as soon as no step is in flight, or when the running step has finished, so every decision
    sees settled facts. Accepted decisions queue their compensations, which the Reversal runs
    between forward steps; once the whole order is cancelled no forward step runs again. A step
    that cannot be done moves the order to NEEDS_ATTENTION until a person resolves it.
    """

    @workflow.init
    def __init__(self, command: PlaceOrder) -> None:
        self._policy = command.policy
        self._order = order = Order.placed(command, workflow.now())
        self._cancelled_by_temporal = False
        self._publisher = Publisher(order)
        self._waiting = Waiting(self._policy, self._on_temporal_cancel)
        self._outbox = Outbox(order, self._waiting.call)
        self._inbox = Inbox(order, self._policy, self._outbox, self._publisher)
        self._attention = Attention(order, self._policy, self._waiting, self._outbox, self._publisher)
        compensator = Compensator(order, command, self._waiting.call)
        self._reversal = Reversal(
            order, self._policy, self._inbox, compensator, self._attention, self._outbox, self._publisher, self._waiting
        )
        self._fulfilment = Fulfilment(
            command, order, self._waiting, self._inbox, self._reversal, self._attention, self._publisher
        )

    @workflow.run
    async def run(self, command: PlaceOrder) -> Order:
        self._publisher.publish()
        try:
            await self._fulfilment.run()
        except OrderEnded:
            pass
        await self._waiting.until(lambda: self._outbox.is_empty() and self._reversal.following.idle)
        # An operator's cancel ends the run as Canceled once compensated; otherwise the
        # order stays open a while to answer late and repeated requests with the truth.
        ended_by_operator = self._cancelled_by_temporal and self._order.status is OrderStatus.CANCELLED
        if not ended_by_operator:
            await self._answer_late_requests()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if ended_by_operator:
            raise asyncio.CancelledError("cancelled by a Temporal cancel request, compensated")
        return self._order

    def _on_temporal_cancel(self) -> None:
        workflow.logger.info("Temporal cancel request received; deciding it as a STAFF cancellation")
        self._cancelled_by_temporal = True
        self._inbox.receive(TEMPORAL_CANCEL)

    async def _answer_late_requests(self) -> None:
        try:
            await workflow.wait_condition(lambda: False, timeout=self._policy.answer_period)
        except (TimeoutError, asyncio.CancelledError):
            return

    # Messages from other systems.
    # Their arguments arrive as plain JSON objects and are parsed here, so that a malformed
    # one gets a message naming the wrong field instead of the SDK's "Failed decoding arguments".

    @workflow.update
    async def cancel(self, raw: dict[str, Any]) -> CancellationOutcome:
        """Decide a cancellation request and answer at once: ACCEPTED, REJECTED with a reason code,
        PENDING_REVIEW or INTERCEPT_REQUESTED."""
        request = request_from_wire(raw)
        self._inbox.receive(request)
        await workflow.wait_condition(lambda: self._order.cancellation(request.request_id) is not None)
        return self._answer(request.request_id)

    @cancel.validator
    def _validate_cancel(self, raw: dict[str, Any]) -> None:
        self._refuse_unless(lambda: self._inbox.check_request(request_from_wire(raw)))

    @workflow.signal
    def request_cancellation(self, raw: dict[str, Any]) -> None:
        """The same decision as `cancel`, for systems that can only signal; the answer is in `status`."""
        try:
            request = request_from_wire(raw)
        except OrderError as error:
            # A signal has no caller to answer: leave the refusal where operators look.
            self._order.note(workflow.now(), "CANCELLATION_REQUEST_MALFORMED", str(error))
            return
        self._inbox.receive(request)

    @workflow.update
    async def review_cancellation(self, raw: dict[str, Any]) -> CancellationOutcome:
        """A person's APPROVE or DENY of a request awaiting review; answers the settled outcome."""
        review = parse(CancellationReview, raw)
        self._inbox.receive(review)
        await workflow.wait_condition(lambda: self._reviewed(review))
        return self._answer(review.request_id)

    @review_cancellation.validator
    def _validate_review(self, raw: dict[str, Any]) -> None:
        self._refuse_unless(lambda: self._inbox.check_review(parse(CancellationReview, raw)))

    @workflow.update
    async def resolve(self, raw: dict[str, Any]) -> Order:
        """A person's way out of NEEDS_ATTENTION: RETRY, REFUND_TO_STORE_CREDIT or MARK_RESOLVED."""
        self._attention.resolution = parse(Resolution, raw)
        await workflow.wait_condition(lambda: self._attention.resolution is None)
        return self._order

    @resolve.validator
    def _validate_resolve(self, raw: dict[str, Any]) -> None:
        self._refuse_unless(lambda: self._attention.check(parse(Resolution, raw)))

    @workflow.signal
    def shipment_event(self, raw: dict[str, Any]) -> None:
        """A scan from the warehouse or the carrier, or the carrier's answer to an intercept."""
        try:
            event = parse(ShipmentEvent, raw)
        except OrderError as error:
            self._order.note(workflow.now(), "SHIPMENT_EVENT_MALFORMED", str(error))
            return
        self._inbox.receive_event(event)

    @workflow.query
    def status(self) -> Order:
        """The order as it stands: status, lines, money, goods, shipment, cancellations and timeline."""
        return self._order

    def _refuse_unless(self, check: Callable[[], None]) -> None:
        try:
            check()
        except OrderError as error:
            raise ApplicationError(str(error), type=type(error).__name__, non_retryable=True) from None

    def _answer(self, request_id: str) -> CancellationOutcome:
        record = self._order.cancellation(request_id)
        assert record is not None
        return record.answer()

    def _reviewed(self, review: CancellationReview) -> bool:
        record = self._order.cancellation(review.request_id)
        return record is not None and record.outcome is not Verdict.PENDING_REVIEW
