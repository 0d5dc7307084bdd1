"""Carrying out one compensation step of a decision, under its own idempotency key."""

from collections.abc import Awaitable, Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.carrier import CarrierActivities, CreateShipment, RequestIntercept, ShipmentRequest, VoidLabel
    from activities.inventory import InventoryActivities, ReleaseStock, RestockReturned, StockLine
    from activities.payment import (
        AuthorizePayment,
        FollowRefund,
        IssueStoreCredit,
        PaymentActivities,
        RefundPayment,
        RefundStatus,
        VoidAuthorization,
    )
    from domain.cancellation import Compensation, Step
    from domain.order import Order, PaymentState, StockState
    from domain.placement import PlaceOrder, idempotency_key
    from domain.requests import CancellationRequest, RefundDestination, Resolution, ResolutionAction
    from domain.shipment import Shipment
    from workflows import options

Call = Callable[..., Awaitable[Any]]



class StepFailed(Exception):
    """A step that cannot be done without a person: what failed, and what they can do."""

    def __init__(self, problem: str, actions: list[ResolutionAction], *, refused: bool) -> None:
        super().__init__(problem)
        self.actions = actions
        self.refused = refused  # the third party said no: a retry needs a new idempotency key


class StepChanged(Exception):
    """What a step found makes it another one (a void that found the hold captured is a refund)."""

    def __init__(self, step: Compensation) -> None:
        super().__init__(step.step.value)
        self.step = step


def describe(error: ActivityError) -> tuple[str, bool]:
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.non_retryable:
        return f"{cause.type}: {cause.message}", True
    return f"gave up after the retry budget: {cause or error}", False


class Compensator:
    """Runs compensation steps for the workflow, recording each result on the order.

    It only sequences activities and records facts; which steps to run was decided by
    domain.cancellation. A failed step raises StepFailed; the workflow then asks a person.
    """

    def __init__(self, order: Order, command: PlaceOrder, call: Call) -> None:
        self._order = order
        self._command = command
        self._call = call
        # Refunds started and not yet settled, by idempotency key: a retry follows the same refund.
        self._refunds_started: dict[str, str] = {}

    def _key(self, step: Compensation, request: CancellationRequest, attempt: int) -> str:
        name = step.step.value.lower() + (f"-{attempt}" if attempt else "")
        return idempotency_key(self._order.order_id, name, request.request_id)

    async def run(self, step: Compensation, request: CancellationRequest, attempt: int) -> None:
        try:
            await self._run(step, self._key(step, request, attempt))
        except ActivityError as error:
            problem, refused = describe(error)
            # Refused or lost, a refund's answer never says the card refused the money.
            raise StepFailed(
                f"{step.step.value} failed: {problem}", step.ways_out(card_refused=False), refused=refused
            ) from None

    async def _run(self, step: Compensation, key: str) -> None:
        order, now = self._order, workflow.now
        if step.step is Step.VOID_LABEL:
            if order.shipment is None:
                await self._find_label()
            await self._ask_carrier(CarrierActivities.void_label, VoidLabel, key)
            order.record_label_void(now())
        elif step.step is Step.REQUEST_INTERCEPT:
            await self._ask_carrier(CarrierActivities.request_intercept, RequestIntercept, key)
            order.record_intercept_requested(now())
        elif step.step is Step.VOID_AUTHORIZATION:
            await self._void(step, key)
        elif step.step is Step.RELEASE_STOCK:
            lines = None if step.lines is None else [StockLine(sku=s, quantity=q) for s, q in step.lines]
            release = ReleaseStock(order_id=order.order_id, restock=step.restock, idempotency_key=key, lines=lines)
            await self._call(InventoryActivities.release_stock, release, options.INVENTORY)
            self._record_stock_back(step)
        elif step.step is Step.RESTOCK_RETURNED:
            restock = RestockReturned(order_id=order.order_id, restock=step.restock, idempotency_key=key)
            await self._call(InventoryActivities.restock, restock, options.INVENTORY)
            self._record_stock_back(step)
        elif step.amount_minor == 0:
            order.note(now(), "NOTHING_TO_REFUND", "earlier refunds gave everything back")
        elif step.refund_to is RefundDestination.STORE_CREDIT:
            await self._credit(step.amount_minor, key)
        else:
            await self._refund(step, key)

    def _record_stock_back(self, step: Compensation, detail: str = "") -> None:
        """Units a step gave back: some lines' (the rest stays reserved), or all the order's."""
        order, now = self._order, workflow.now()
        if step.lines is not None:
            moved = ", ".join(f"{q} x {s}" for s, q in step.lines)
            order.note(now, "STOCK_PARTLY_RELEASED", f"{moved} {detail}".strip())
        elif not step.restock:
            order.record_stock(StockState.QUARANTINED, now, detail)
        else:
            order.record_stock(StockState.RELEASED if step.step is Step.RELEASE_STOCK else StockState.RETURNED, now, detail)

    async def _void(self, step: Compensation, key: str) -> None:
        order = self._order
        if order.authorization_id is None and not await self._find_hold():
            return
        assert order.authorization_id is not None
        try:
            await self._call(
                PaymentActivities.void_authorization,
                VoidAuthorization(order_id=order.order_id, authorization_id=order.authorization_id, idempotency_key=key),
            )
        except ActivityError as error:
            cause = error.cause
            if not (isinstance(cause, ApplicationError) and cause.type == "AlreadyCaptured"):
                raise
            # A capture whose answer was lost went through: there is no hold left, only money to give back.
            order.record_capture_found(int(cause.details[1]), workflow.now())
            raise StepChanged(step.refund_instead(order)) from None
        order.record_void(workflow.now())

    async def _find_hold(self) -> bool:
        """The authorization's answer was lost: asked again under its key, the gateway tells what it holds."""
        order = self._order
        try:
            held = await self._call(PaymentActivities.authorize_payment, AuthorizePayment.for_order(self._command))
        except ActivityError as error:
            if not (isinstance(error.cause, ApplicationError) and error.cause.type == "CardDeclined"):
                raise
            order.record_payment(PaymentState.NONE, workflow.now(), "the card was declined: nothing is held")
            return False
        order.record_hold_found(held.authorization_id, held.amount_minor, workflow.now())
        return True

    async def _find_label(self) -> None:
        """The label's answer was lost: asked for again under its key, the carrier tells which label it is."""
        order = self._order
        assert order.label_unconfirmed_units is not None
        request = CreateShipment.for_order(self._command, order.label_unconfirmed_units)
        label = await self._call(CarrierActivities.create_shipment, request)
        order.record_label(Shipment(shipment_id=label.shipment_id, tracking_number=label.tracking_number), workflow.now())

    async def _ask_carrier(
        self, activity: Callable[..., Any], request: type[ShipmentRequest], key: str
    ) -> None:
        """Void the order's label or recall its parcel: both name the shipment the label bought."""
        shipment = self._order.shipment
        assert shipment is not None
        await self._call(
            activity, request(order_id=self._order.order_id, shipment_id=shipment.shipment_id, idempotency_key=key)
        )

    async def _credit(self, amount_minor: int, key: str) -> None:
        credit = await self._call(
            PaymentActivities.issue_store_credit,
            IssueStoreCredit(
                order_id=self._order.order_id,
                customer_id=self._order.customer_id,
                amount_minor=amount_minor,
                currency=self._order.currency,
                idempotency_key=key,
            ),
        )
        self._order.record_store_credit(credit.amount_minor, workflow.now(), f"store credit {credit.credit_id}")

    async def _refund(self, step: Compensation, key: str) -> None:
        order, amount_minor = self._order, step.amount_minor
        refund_id = self._refunds_started.get(key)
        if refund_id is None:
            # Started once per key: a retry after the retry budget follows the same refund.
            assert order.authorization_id is not None
            refund = await self._call(
                PaymentActivities.refund_payment,
                RefundPayment(
                    order_id=order.order_id,
                    authorization_id=order.authorization_id,
                    amount_minor=amount_minor,
                    idempotency_key=key,
                ),
            )
            refund_id = self._refunds_started[key] = refund.refund_id
            order.record_refund_started(amount_minor, workflow.now(), f"refund {refund_id}")
        try:
            settled = await self._call(
                PaymentActivities.follow_refund, FollowRefund(order_id=order.order_id, refund_id=refund_id), options.FOLLOW
            )
        except ActivityError as error:
            # Still pending past the refund deadline, or not to be looked up: the refund exists and
            # may yet reach the card, so a retry follows it again under the same key.
            raise StepFailed(
                f"refund {refund_id} of {order.told(amount_minor)} has not settled: {describe(error)[0]}",
                step.ways_out(card_refused=False),
                refused=False,
            ) from None
        del self._refunds_started[key]
        succeeded = settled.status is RefundStatus.SUCCEEDED
        detail = f"refund {refund_id} {settled.status}" + (f": {settled.failure_reason}" if settled.failure_reason else "")
        order.record_refund_settled(amount_minor, succeeded, workflow.now(), detail)
        if not succeeded:
            raise StepFailed(
                f"refund {refund_id} of {order.told(amount_minor)} {settled.status}: {settled.failure_reason}",
                step.ways_out(card_refused=True),
                refused=True,
            )

    async def resolve(self, step: Compensation, request: CancellationRequest, resolution: Resolution, attempt: int) -> bool:
        """Carry out a person's resolution of a failed step; False means: run the step again."""
        if resolution.action is ResolutionAction.RETRY:
            return False
        if resolution.action is ResolutionAction.REFUND_TO_STORE_CREDIT:
            key = idempotency_key(self._order.order_id, f"store_credit-{attempt}", request.request_id)
            try:
                await self._credit(step.amount_minor, key)
            except ActivityError as error:
                problem, refused = describe(error)
                # Refused: the card again, store credit again, or done outside. Lost: the credit may
                # have been given, so only asking for it again under the same key is safe.
                actions = step.ways_out(card_refused=True, credit_unknown=not refused)
                raise StepFailed(f"store credit failed: {problem}", actions, refused=refused) from None
            return True
        self._record_done_outside(step, resolution, self._key(step, request, attempt))
        return True

    def _record_done_outside(self, step: Compensation, resolution: Resolution, key: str) -> None:
        """A person did the step outside the system (or decided it needs no doing): record it as done."""
        order, at, who = self._order, workflow.now(), f"by {resolution.by} outside the system"
        if step.step is Step.REFUND_PAYMENT:
            detail = f"{order.told(step.amount_minor)} settled {who}"
            if self._refunds_started.pop(key, None) is not None:
                order.record_refund_settled(step.amount_minor, True, at, detail)  # the refund left pending
            else:
                order.record_refund(step.amount_minor, at, detail)
        elif step.step is Step.VOID_LABEL and order.shipment is None:
            order.record_label_settled_outside(at, f"label whose answer was lost settled {who}")
        elif step.step is Step.VOID_LABEL:
            order.record_label_void(at)
        elif step.step is Step.VOID_AUTHORIZATION:
            order.record_void(at)
        elif step.step in (Step.RELEASE_STOCK, Step.RESTOCK_RETURNED):
            self._record_stock_back(step, f"settled {who}")
        elif step.step is Step.REQUEST_INTERCEPT:
            order.note(at, "INTERCEPT_ABANDONED", who)
