"""The order workflow: one order's life, from placement to delivery or cancellation."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.carrier import CarrierActivities, CreateShipment
    from activities.inventory import InventoryActivities, ReserveStock, ShipStock, StockLine
    from activities.mail import MailActivities
    from activities.payment import AuthorizePayment, CapturePayment, PaymentActivities
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
    from domain.order import Order, OrderStatus, StockState
    from domain.placement import PlaceOrder, idempotency_key
    from domain.policy import OnReviewTimeout
    from domain.requests import (
        CancellationOutcome,
        CancellationRequest,
        CancellationReview,
        CancelReason,
        RequestedBy,
        Resolution,
        ResolutionAction,
        ReviewDecision,
        Verdict,
        parse,
    )
    from domain.shipment import Shipment, ShipmentEvent, ShipmentEventType
    from workflows import options, search
    from workflows.compensation import Compensator, StepFailed, describe


class _OrderEnded(Exception):
    """Unwinds the forward story once the order has been cancelled."""


# An operator's `temporal workflow cancel` is decided like any other request, so it
# compensates instead of abandoning money and stock.
TEMPORAL_CANCEL = CancellationRequest(
    request_id="temporal-cancel-request",
    reason=CancelReason.STAFF,
    requested_by=RequestedBy.CUSTOMER_SERVICE,
    note="Temporal cancel request",
)

Inbound = CancellationRequest | CancellationReview


@workflow.defn
class OrderWorkflow:
    """Carries one order from placement to delivery, and reverses it when it is cancelled.

    The forward story runs one step at a time. Cancellation requests and reviews (updates,
    signals, or a Temporal cancel) are decided by domain.cancellation as soon as no step is
    in flight, or when the running step has finished, so every decision sees settled facts.
    Accepted decisions queue their compensations, which run between forward steps; once the
    whole order is cancelled no forward step runs again. A step that cannot be done moves
    the order to NEEDS_ATTENTION until a person resolves it.
    """

    @workflow.init
    def __init__(self, command: PlaceOrder) -> None:
        self._command = command
        self._policy = command.policy
        self._order = Order.placed(command, workflow.now())
        self._compensator = Compensator(self._order, command, self._call)
        self._inbox: list[Inbound] = []
        self._events: list[ShipmentEvent] = []
        self._work: list[tuple[CancellationRequest, Decision]] = []
        self._outbox: list[messages.CustomerMessage] = []
        self._resolution: Resolution | None = None
        self._in_flight = False
        self._cancelled_by_temporal = False
        self._published: dict[str, Any] = {}

    @workflow.run
    async def run(self, command: PlaceOrder) -> Order:
        self._publish()
        try:
            await self._fulfil()
        except _OrderEnded:
            pass
        await self._wait(lambda: not self._outbox, forward=False)
        # An operator's cancel ends the run as Canceled once compensated; otherwise the
        # order stays open a while to answer late and repeated requests with the truth.
        ended_by_operator = self._cancelled_by_temporal and self._order.status is OrderStatus.CANCELLED
        if not ended_by_operator:
            await self._answer_late_requests()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if ended_by_operator:
            raise asyncio.CancelledError("cancelled by a Temporal cancel request, compensated")
        return self._order

    # The forward story.

    async def _fulfil(self) -> None:
        order, policy = self._order, self._policy
        await self._authorize_payment()
        await self._reserve_stock()
        await self._step(MailActivities.send_message, messages.confirmation(order))
        order.record_confirmed(workflow.now() + policy.free_cancellation_window, workflow.now())
        await self._checkpoint()
        await self._wait(lambda: False, timeout=policy.free_cancellation_window)
        await self._wait(self._no_review_open)
        await self._capture_payment()
        await self._wait(self._no_review_open)
        await self._buy_label()
        await self._wait(lambda: order.stage in (OrderStatus.SHIPPED, OrderStatus.DELIVERED))
        ship = ShipStock(order_id=order.order_id, idempotency_key=self._key("ship"))
        await self._step(InventoryActivities.ship_stock, ship, options.INVENTORY)
        order.record_stock(StockState.SHIPPED, workflow.now())
        await self._checkpoint()
        await self._wait(lambda: order.stage is OrderStatus.DELIVERED and order.open_request is None)
        await self._wait(lambda: False, timeout=policy.return_period)
        order.move(OrderStatus.COMPLETED, workflow.now())
        self._publish()

    async def _authorize_payment(self) -> None:
        command = self._command
        request = AuthorizePayment(
            order_id=command.order_id,
            amount_minor=command.total_minor,
            currency=command.currency,
            payment_method=command.payment_method,
            idempotency_key=self._key("authorize"),
        )
        try:
            authorization = await self._step(PaymentActivities.authorize_payment, request, ends_order=True)
        except ActivityError as error:
            self._cancel_for(error, CancelReason.DECLINED)
        else:
            self._order.record_authorization(authorization.authorization_id, authorization.amount_minor, workflow.now())
        await self._checkpoint()

    async def _reserve_stock(self) -> None:
        lines = [StockLine(sku=line.sku, quantity=line.open_quantity) for line in self._order.lines if line.open_quantity]
        request = ReserveStock(order_id=self._command.order_id, lines=lines, idempotency_key=self._key("reserve"))
        try:
            await self._step(InventoryActivities.reserve_stock, request, options.INVENTORY, ends_order=True)
        except ActivityError as error:
            self._cancel_for(error, CancelReason.INVENTORY)
        else:
            self._order.record_stock(StockState.RESERVED, workflow.now())
        await self._checkpoint()

    async def _capture_payment(self) -> None:
        order = self._order
        assert order.authorization_id is not None
        request = CapturePayment(
            order_id=order.order_id,
            authorization_id=order.authorization_id,
            amount_minor=order.capturable_minor,
            idempotency_key=self._key("capture"),
        )
        captured = await self._step(PaymentActivities.capture_payment, request)
        order.record_capture(captured, workflow.now())
        await self._checkpoint()

    async def _buy_label(self) -> None:
        request = CreateShipment(
            order_id=self._command.order_id,
            address=self._command.shipping_address,
            parcel_units=sum(line.open_quantity for line in self._order.lines),
            idempotency_key=self._key("label"),
        )
        label = await self._step(CarrierActivities.create_shipment, request)
        shipment = Shipment(shipment_id=label.shipment_id, tracking_number=label.tracking_number)
        self._order.record_label(shipment, workflow.now())
        await self._checkpoint()

    def _no_review_open(self) -> bool:
        record = self._order.open_request
        return record is None or record.outcome is not Verdict.PENDING_REVIEW

    # Undoing what happened.

    async def _do_work(self) -> None:
        """Run the compensations of accepted decisions, oldest first."""
        while self._work:
            request, decision = self._work[0]
            for step in decision.compensations:
                await self._compensate(step.fixed(self._order), request)
            self._work.pop(0)
            if decision.full and decision.accepted:
                self._order.record_cancelled(workflow.now())
                self._publish()
                if request.notify_customer:
                    self._post(messages.cancellation(self._order, request))
                raise _OrderEnded()
            if decision.accepted and request.notify_customer:
                refunded = sum(s.amount_minor for s in decision.compensations if s.step is Step.REFUND_PAYMENT)
                self._post(messages.partial_cancellation(self._order, request, decision.selection, refunded))
            if decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED:
                asyncio.create_task(self._intercept_deadline(request.request_id))

    async def _compensate(self, step: Compensation, request: CancellationRequest, attempt: int = 0) -> None:
        """Run one step until it is done, asking a person each time it cannot be."""
        failure: StepFailed | None = None
        while True:
            try:
                if failure is None:
                    await self._compensator.run(step, request, attempt)
                    return
                resolution = await self._ask_a_person(str(failure), step.step.value, failure.actions, request.request_id)
                if resolution is None or await self._compensator.resolve(step, request, resolution, attempt):
                    return
                failure = None
            except StepFailed as failed:
                # The third party said no: asking it again needs a new idempotency key.
                failure, attempt = failed, attempt + failed.refused

    async def _ask_a_person(
        self, problem: str, step: str, actions: list[ResolutionAction], request_id: str | None = None
    ) -> Resolution | None:
        """NEEDS_ATTENTION: say what failed and wait for a person's resolution; None when the
        attention was closed otherwise (a cancellation took the order over, or the carrier answered)."""
        self._order.record_attention(problem, step, actions, workflow.now(), request_id)
        self._publish()
        count = sum(1 for entry in self._order.timeline if entry.event == OrderStatus.NEEDS_ATTENTION.value)
        self._post(messages.escalation(self._order, self._policy.customer_service_email, problem, f"attention-{count}"))
        await self._wait(lambda: self._resolution is not None or self._order.attention is None, forward=False)
        resolution, self._resolution = self._resolution, None
        if resolution is None:
            return None
        self._order.record_resolved(resolution.action, resolution.by, workflow.now(), resolution.note)
        self._publish()
        return resolution

    async def _intercept_deadline(self, request_id: str) -> None:
        """A carrier that never answers an intercept must not leave the order waiting forever."""
        record = self._order.cancellation(request_id)
        assert record is not None
        retries = 0
        while record.open:
            try:
                await workflow.wait_condition(lambda: not record.open, timeout=self._policy.intercept_deadline)
                return
            except asyncio.TimeoutError:
                pass
            problem = f"the carrier has not answered intercept request {request_id}"
            actions = [ResolutionAction.RETRY, ResolutionAction.MARK_RESOLVED]
            resolution = await self._ask_a_person(problem, Step.REQUEST_INTERCEPT.value, actions, request_id)
            if resolution is None or not record.open:
                return
            if resolution.action is ResolutionAction.MARK_RESOLVED:
                self._settle_intercept(returned=False)
                return
            retries += 1
            await self._compensate(Compensation(step=Step.REQUEST_INTERCEPT), record.request(), retries)

    # Messages from other systems.
    # Their arguments arrive as plain JSON objects and are parsed here, so that a malformed
    # one gets a message naming the wrong field instead of the SDK's "Failed decoding arguments".

    @workflow.update
    async def cancel(self, raw: dict[str, Any]) -> CancellationOutcome:
        """Decide a cancellation request and answer at once: ACCEPTED, REJECTED with a reason code,
        PENDING_REVIEW or INTERCEPT_REQUESTED."""
        request = parse(CancellationRequest, raw)
        self._receive(request)
        await workflow.wait_condition(lambda: self._order.cancellation(request.request_id) is not None)
        return self._answer(request.request_id)

    @cancel.validator
    def _validate_cancel(self, raw: dict[str, Any]) -> None:
        self._refuse_unless(lambda: check_request(self._order, parse(CancellationRequest, raw)))

    @workflow.signal
    def request_cancellation(self, raw: dict[str, Any]) -> None:
        """The same decision as `cancel`, for systems that can only signal; the answer is in `status`."""
        try:
            request = parse(CancellationRequest, raw)
        except OrderError as error:
            # A signal has no caller to answer: leave the refusal where operators look.
            self._order.note(workflow.now(), "CANCELLATION_REQUEST_MALFORMED", str(error))
            return
        self._receive(request)

    @workflow.update
    async def review_cancellation(self, raw: dict[str, Any]) -> CancellationOutcome:
        """A person's APPROVE or DENY of a request awaiting review; answers the settled outcome."""
        review = parse(CancellationReview, raw)
        self._receive(review)
        await workflow.wait_condition(lambda: self._reviewed(review))
        return self._answer(review.request_id)

    @review_cancellation.validator
    def _validate_review(self, raw: dict[str, Any]) -> None:
        def check() -> None:
            review = parse(CancellationReview, raw)
            record = self._order.cancellation(review.request_id)
            if record is None:
                raise OrderError(f"order {self._order.order_id} has no cancellation request {review.request_id!r}")
            if record.outcome is not Verdict.PENDING_REVIEW or any(
                isinstance(i, CancellationReview) and i.request_id == review.request_id for i in self._inbox
            ):
                raise OrderError(f"request {review.request_id!r} is not awaiting review (it is {record.outcome})")

        self._refuse_unless(check)

    @workflow.update
    async def resolve(self, raw: dict[str, Any]) -> Order:
        """A person's way out of NEEDS_ATTENTION: RETRY, REFUND_TO_STORE_CREDIT or MARK_RESOLVED."""
        self._resolution = parse(Resolution, raw)
        await workflow.wait_condition(lambda: self._resolution is None)
        return self._order

    @resolve.validator
    def _validate_resolve(self, raw: dict[str, Any]) -> None:
        def check() -> None:
            resolution = parse(Resolution, raw)
            attention = self._order.attention
            if attention is None or self._resolution is not None:
                raise OrderError(f"order {self._order.order_id} is not waiting for a resolution")
            if resolution.action not in attention.actions:
                allowed = ", ".join(attention.actions)
                raise OrderError(f"{resolution.action} does not resolve '{attention.problem}'; use one of {allowed}")

        self._refuse_unless(check)

    @workflow.signal
    def shipment_event(self, raw: dict[str, Any]) -> None:
        """A scan from the warehouse or the carrier, or the carrier's answer to an intercept."""
        try:
            self._events.append(parse(ShipmentEvent, raw))
        except OrderError as error:
            self._order.note(workflow.now(), "SHIPMENT_EVENT_MALFORMED", str(error))
            return
        if not self._in_flight:
            self._apply_events()

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

    def _receive(self, message: Inbound) -> None:
        self._inbox.append(message)
        if not self._in_flight:
            self._settle()

    # Deciding requests and applying events, always on settled facts.

    def _settle(self) -> None:
        while self._inbox:
            message = self._inbox.pop(0)
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
        self._publish()

    def _follow(self, request: CancellationRequest, decision: Decision) -> None:
        """Queue what a decision sets in motion, and tell the customer what they must know now."""
        workflow.logger.info(
            "cancellation %s: %s %s", request.request_id, decision.outcome.outcome, decision.outcome.reason_code or ""
        )
        if decision.compensations or decision.accepted:
            self._work.append((request, decision))
        if notifies_customer(request, decision):
            if decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED:
                self._post(messages.recall_requested(self._order, decision.outcome))
            else:
                self._post(messages.rejection(self._order, decision.outcome))

    def _settle_review(self, review: CancellationReview) -> None:
        record = self._order.cancellation(review.request_id)
        if record is None or record.outcome is not Verdict.PENDING_REVIEW:
            return
        decision = settle_review(self._order, record, review)
        record.reviewed_by, record.review_note = review.reviewer, review.note
        self._order.record_settlement(review.request_id, decision.outcome, decision.selection, workflow.now())
        self._follow(record.request(), decision)

    def _settle_intercept(self, *, returned: bool) -> None:
        record = self._order.open_request
        if record is None or record.outcome is not Verdict.INTERCEPT_REQUESTED:
            return
        attention = self._order.attention
        if attention is not None and attention.step == Step.REQUEST_INTERCEPT.value:
            self._order.record_resolved(ResolutionAction.MARK_RESOLVED, "carrier", workflow.now(), "the carrier answered")
        decision = settle_intercept(self._order, record, returned)
        self._order.record_settlement(record.request_id, decision.outcome, decision.selection, workflow.now())
        self._follow(record.request(), decision)

    def _apply_events(self) -> None:
        while self._events:
            event = self._events.pop(0)
            if not self._order.record_shipment_event(event, event.at or workflow.now()):
                continue
            if event.type is ShipmentEventType.RETURNED_TO_SENDER:
                self._settle_intercept(returned=True)
            elif event.type in (ShipmentEventType.INTERCEPT_FAILED, ShipmentEventType.DELIVERED):
                self._settle_intercept(returned=False)
        self._publish()

    async def _checkpoint(self) -> None:
        """After a step: apply what arrived meanwhile, decide what waited, and run what was accepted."""
        self._apply_events()
        self._settle()
        await self._do_work()

    def _cancel_for(self, error: ActivityError, reason: CancelReason) -> None:
        """A business refusal that ends the order: it is cancelled by the system, first in line."""
        problem, refused = describe(error)
        if not refused:
            raise error
        self._inbox.insert(
            0,
            CancellationRequest(
                request_id=f"system-{reason.value.lower()}",
                reason=reason,
                requested_by=RequestedBy.SYSTEM,
                note=problem,
            ),
        )

    # Awaiting, with Temporal cancel requests turned into cancellation requests.

    async def _step(
        self,
        activity: Callable[..., Any],
        argument: Any,
        profile: options.Profile = options.THIRD_PARTY,
        *,
        ends_order: bool = False,
    ) -> Any:
        """A forward step: requests arriving meanwhile wait for its result; one that cannot be
        done waits for a person (unless its refusal ends the order, like a declined card)."""
        retries = 0
        while True:
            self._in_flight = True
            try:
                return await self._call(activity, argument, profile)
            except ActivityError as error:
                problem, refused = describe(error)
                if refused and ends_order:
                    raise
                self._in_flight = False
                await self._checkpoint()
                name = activity.__name__
                problem = f"{name} failed: {problem}; retry it, or cancel the order"
                if await self._ask_a_person(problem, name.upper(), [ResolutionAction.RETRY]) is None:
                    await self._do_work()  # a cancellation took the order over: compensate and end
                if refused and hasattr(argument, "idempotency_key"):
                    # The third party stored its "no" under the old key: ask again under a new one.
                    retries += 1
                    argument = argument.model_copy(update={"idempotency_key": f"{self._key(name)}-retry-{retries}"})
            finally:
                self._in_flight = False

    async def _call(self, activity: Callable[..., Any], argument: Any, profile: options.Profile = options.THIRD_PARTY) -> Any:
        handle = workflow.start_activity_method(activity, argument, **options.activity_options(profile, self._policy))
        while True:
            try:
                # Shielded: a Temporal cancel must not abandon a step whose outcome we need to undo.
                return await asyncio.shield(handle)
            except asyncio.CancelledError:
                self._on_temporal_cancel()

    async def _wait(self, until: Callable[[], bool], *, timeout: timedelta | None = None, forward: bool = True) -> None:
        """Wait for a condition or a timeout. On the forward path, run accepted compensations
        meanwhile and stop the story once the order is cancelled."""
        deadline = None if timeout is None else workflow.now() + timeout
        while True:
            remaining = None if deadline is None else max(deadline - workflow.now(), timedelta(0))
            try:
                await workflow.wait_condition(lambda: until() or (forward and bool(self._work)), timeout=remaining)
            except asyncio.TimeoutError:
                return
            except asyncio.CancelledError:
                self._on_temporal_cancel()
                continue
            if forward and self._work:
                await self._do_work()
                continue
            return

    def _on_temporal_cancel(self) -> None:
        workflow.logger.info("Temporal cancel request received; deciding it as a STAFF cancellation")
        self._cancelled_by_temporal = True
        self._receive(TEMPORAL_CANCEL)

    async def _answer_late_requests(self) -> None:
        try:
            await workflow.wait_condition(lambda: False, timeout=self._policy.answer_period)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            return

    async def _review_deadline(self, request_id: str) -> None:
        """Escalate a review nobody decided in time; per policy, approve it or keep waiting."""
        record = self._order.cancellation(request_id)
        assert record is not None
        try:
            await workflow.wait_condition(
                lambda: record.outcome is not Verdict.PENDING_REVIEW, timeout=self._policy.review_deadline
            )
            return
        except asyncio.TimeoutError:
            pass
        record.escalated = True
        problem = f"cancellation request {request_id} has waited {self._policy.review_deadline} for review"
        self._post(messages.escalation(self._order, self._policy.customer_service_email, problem, f"review-{request_id}"))
        self._order.note(workflow.now(), "REVIEW_ESCALATED", request_id)
        self._publish()
        if self._policy.on_review_timeout is OnReviewTimeout.APPROVE:
            self._receive(CancellationReview(request_id=request_id, decision=ReviewDecision.APPROVE, reviewer="policy"))

    # Customer notices go out in the background, in order, once each.

    def _post(self, message: messages.CustomerMessage) -> None:
        self._outbox.append(message)
        if len(self._outbox) == 1:
            asyncio.create_task(self._deliver())

    async def _deliver(self) -> None:
        while self._outbox:
            message = self._outbox[0]
            try:
                await self._call(MailActivities.send_message, message)
                self._order.note(workflow.now(), "MESSAGE_SENT", f"{message.kind} to {message.to}")
            except ActivityError as error:
                # An undeliverable notice must not hold the order back; it stays on the record.
                self._order.note(workflow.now(), "MESSAGE_UNDELIVERABLE", f"{message.kind}: {describe(error)[0]}")
            self._outbox.pop(0)

    # Operator visibility.

    def _publish(self) -> None:
        """Keep the search attributes current, upserting only what changed."""
        order = self._order
        escalated = any(c.escalated and c.open for c in order.cancellations)
        wanted: dict[str, Any] = {
            search.ORDER_STATUS.name: order.status.value,
            search.CUSTOMER_ID.name: order.customer_id,
            search.CANCELLATION_REASON.name: order.cancellation_reason.value if order.cancellation_reason else None,
            search.NEEDS_ATTENTION.name: order.status is OrderStatus.NEEDS_ATTENTION or escalated,
        }
        changed = [
            key.value_set(wanted[key.name])
            for key in search.ALL
            if wanted[key.name] is not None and self._published.get(key.name) != wanted[key.name]
        ]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._published = wanted

    def _key(self, step: str) -> str:
        return idempotency_key(self._command.order_id, step)
