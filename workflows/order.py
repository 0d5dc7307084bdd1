"""The order workflow: one order's life, from placement to delivery or cancellation."""

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.cancellation import MOST_REQUESTS, over_request_limit
    from domain.errors import OrderError
    from domain.lifecycle import OrderStatus
    from domain.order import Order
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
    from workflows import patches
    from workflows.attention import Attention
    from workflows.context import OrderContext
    from workflows.continuation import ContinueAsNew, Continued, Rest
    from workflows.fulfilment import Fulfilment
    from workflows.inbox import Inbox
    from workflows.reversal import OrderEnded, Reversal


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

    One context (the order, its command and policy, and the effects: activities, waits,
    customer notices, search attributes) is handed to four parts. The Fulfilment tells the
    forward story one step at a time. Cancellation requests, reviews and scans (updates,
    signals, or a Temporal cancel) go to the Inbox, which decides them with
    domain.cancellation as soon as no step is in flight, or when the running step has
    finished, so every decision sees settled facts. It hands accepted decisions to the
    Reversal, which runs their compensations between forward steps; once the whole order is
    cancelled no forward step runs again. A step that cannot be done is put to a person by
    Attention (NEEDS_ATTENTION) until they resolve it.

    A cancellation, from handler to refund: `cancel` -> Inbox.receive -> Inbox._settle ->
    domain.cancellation.decide -> Reversal.accept; then, between forward steps,
    ForwardSteps.checkpoint or .wait -> Reversal.run -> Reversal.compensate -> Compensator.run
    -> MoneyBack.refund -> PaymentActivities.refund_payment.
    """

    @workflow.init
    def __init__(self, start: PlaceOrder | Continued) -> None:
        continued, command = (start, start.command) if isinstance(start, Continued) else (None, start)
        self._order = order = continued.order if continued else Order.placed(command, workflow.now())
        self._cancelled_by_temporal = continued.cancelled_by_temporal if continued else False
        events = continued.events if continued else None
        self._ctx = ctx = OrderContext(command, order, self._on_temporal_cancel, self._quiet, events)
        self._attention = Attention(ctx)
        self._reversal = Reversal(ctx, self._attention)
        self._inbox = Inbox(ctx, self._attention, self._reversal)
        self._fulfilment = Fulfilment(ctx, self._inbox, self._attention, self._reversal)

    @workflow.run
    async def run(self, start: PlaceOrder | Continued) -> Order:
        """The order's life from its placement, or from where an earlier run of it handed it over
        (workflows.continuation): a run's input is the PlaceOrder a client sent, or a Continued."""
        ctx = self._ctx
        continued = start if isinstance(start, Continued) else None
        ctx.publish()
        try:
            if continued is not None:
                self._inbox.take_up_reviews()
            if continued is None or continued.rest is not Rest.ENDED:
                await self._story(continued)
            await ctx.until(lambda: ctx.posted_all and self._reversal.refunds_settled)
            ctx.measure()  # refunds that settled after the last change the order published
            # An operator's cancel ends the run as Canceled once compensated; otherwise the
            # order stays open a while to answer late and repeated requests with the truth.
            ended_by_operator = self._cancelled_by_temporal and self._order.status is OrderStatus.CANCELLED
            if not ended_by_operator:
                await self._answer_late_requests(continued)
        except ContinueAsNew as rested:
            # Events read meanwhile are handed over before the run ends: a signal in flight would be lost.
            await workflow.wait_condition(lambda: workflow.all_handlers_finished() and ctx.events.is_empty())
            handed_over = Continued(
                command=ctx.command,
                order=self._order,
                rest=rested.rest,
                deadline=rested.deadline,
                cancelled_by_temporal=self._cancelled_by_temporal,
                events=ctx.events.handed_over(),
            )
            events = workflow.info().get_current_history_length()
            workflow.logger.info("history of %s events: continuing as a new run at %s", events, rested.rest)
            workflow.continue_as_new(handed_over)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await ctx.events.close()
        if ended_by_operator:
            raise asyncio.CancelledError("cancelled by a Temporal cancel request, compensated")
        return self._order

    async def _story(self, continued: Continued | None) -> None:
        try:
            await self._fulfilment.run(continued)
        except OrderEnded:
            pass

    def _quiet(self) -> bool:
        """Nothing under way that a new run could not take up: see workflows.continuation."""
        return self._inbox.idle and self._reversal.idle and self._order.attention is None

    def _on_temporal_cancel(self) -> None:
        workflow.logger.info("Temporal cancel request received; deciding it as a STAFF cancellation")
        self._cancelled_by_temporal = True
        self._inbox.receive(TEMPORAL_CANCEL)

    async def _answer_late_requests(self, continued: Continued | None) -> None:
        carried = continued.deadline if continued is not None and continued.rest is Rest.ENDED else None
        deadline = carried or workflow.now() + self._ctx.policy.answer_period
        await self._ctx.until(lambda: False, deadline, Rest.ENDED, cancel_ends=True)

    # Messages from other systems.
    # Their arguments arrive as any JSON value (an object, or a string, a list, null sent by
    # mistake) and are parsed here, so that a malformed one gets a message naming what is wrong
    # instead of the SDK's "Failed decoding arguments", and a bad signal is noted, not dropped.

    @workflow.update
    async def cancel(self, raw: Any) -> CancellationOutcome:
        """Decide a cancellation request and answer at once: ACCEPTED, REJECTED with a reason code,
        PENDING_REVIEW or INTERCEPT_REQUESTED."""
        request = request_from_wire(raw)
        self._inbox.receive(request)
        await workflow.wait_condition(lambda: self._order.cancellation(request.request_id) is not None)
        return self._answer(request.request_id)

    @cancel.validator
    def _validate_cancel(self, raw: Any) -> None:
        self._refuse_unless(lambda: self._inbox.check_request(request_from_wire(raw)))

    @workflow.signal
    def request_cancellation(self, raw: Any) -> None:
        """The same decision as `cancel`, for systems that can only signal; the answer is in `status`."""
        try:
            request = request_from_wire(raw)
        except OrderError as error:
            # A signal has no caller to answer: leave the refusal where operators look.
            self._order.note_stray(workflow.now(), "CANCELLATION_REQUEST_MALFORMED", str(error))
            return
        if over_request_limit(self._order, request) and workflow.patched(patches.BOUNDED_REQUESTS):
            # What the update's validator refuses: noted, not decided, so the order stays bounded.
            self._order.note_stray(workflow.now(), "CANCELLATION_REQUEST_REFUSED", f"more than {MOST_REQUESTS} requests")
            return
        self._inbox.receive(request)

    @workflow.update
    async def review_cancellation(self, raw: Any) -> CancellationOutcome:
        """A person's APPROVE or DENY of a request awaiting review; answers the settled outcome."""
        review = parse(CancellationReview, raw)
        self._inbox.receive(review)
        await workflow.wait_condition(lambda: self._reviewed(review))
        return self._answer(review.request_id)

    @review_cancellation.validator
    def _validate_review(self, raw: Any) -> None:
        self._refuse_unless(lambda: self._inbox.check_review(parse(CancellationReview, raw)))

    @workflow.update
    async def resolve(self, raw: Any) -> Order:
        """A person's way out of NEEDS_ATTENTION: RETRY, REFUND_TO_STORE_CREDIT or MARK_RESOLVED."""
        await self._attention.answer(parse(Resolution, raw))
        return self._order

    @resolve.validator
    def _validate_resolve(self, raw: Any) -> None:
        self._refuse_unless(lambda: self._attention.check(parse(Resolution, raw)))

    @workflow.signal
    def shipment_event(self, raw: Any) -> None:
        """A scan from the warehouse or the carrier, or the carrier's answer to an intercept."""
        try:
            event = parse(ShipmentEvent, raw)
        except OrderError as error:
            self._order.note_stray(workflow.now(), "SHIPMENT_EVENT_MALFORMED", str(error))
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
