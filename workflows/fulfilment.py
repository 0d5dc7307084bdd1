"""The forward story: one order from payment to delivery, one step at a time."""

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.carrier import CarrierActivities, CreateShipment
    from activities.inventory import InventoryActivities, ReserveStock, ShipStock, StockLine
    from activities.mail import MailActivities
    from activities.payment import HOLD_LAPSED, Authorization, AuthorizePayment, CapturePayment, PaymentActivities
    from domain import keys, messages
    from domain.cancellation import surplus_money, surplus_units
    from domain.lifecycle import OrderStatus, StockState
    from domain.payment import PaymentState
    from domain.requests import CancellationRequest, CancelReason, RequestedBy, system_request_id
    from domain.shipment import CarrierWait, Shipment
    from workflows import options, patches
    from workflows.attention import Attention
    from workflows.carrier_waits import CarrierWaits
    from workflows.context import OrderContext
    from workflows.continuation import Continued, Rest
    from workflows.forward_steps import ForwardSteps
    from workflows.inbox import Inbox
    from workflows.reversal import Reversal
    from workflows.step_failures import describe, refused_with


class Fulfilment:
    """Authorizes, reserves, confirms, captures, buys the label, ships and completes the order.

    Requests arriving while a step runs wait for its result; after each step the checkpoint
    decides them and runs what they set in motion (ForwardSteps). Once the order is cancelled,
    the Reversal raises OrderEnded and no forward step runs again.
    """

    def __init__(self, ctx: OrderContext, inbox: Inbox, attention: Attention, reversal: Reversal) -> None:
        self._ctx = ctx
        self._inbox = inbox
        self._reversal = reversal
        self._steps = ForwardSteps(ctx, inbox, attention, reversal)
        self._carrier = CarrierWaits(ctx, self._steps)
        self._reserved: ReserveStock | None = None  # the reservation last asked for: what the store holds once it answers
        self._resume: Continued | None = None

    async def run(self, resume: Continued | None = None) -> None:
        """The story from placement, or from the rest where the run before this one left it."""
        ctx, order, policy, steps = self._ctx, self._ctx.order, self._ctx.policy, self._steps
        self._resume = resume
        if resume is None:
            # A cancellation sent with the start (signal- or update-with-start) was decided before
            # the run began: it ends the order before anything is held.
            await steps.checkpoint()
            await self._authorize_payment()
            await self._reserve_stock()
            await steps.step(MailActivities.send_message, lambda: messages.confirmation(order))
            order.record_confirmed(workflow.now() + policy.free_cancellation_window, workflow.now())
            await steps.checkpoint()
        if self._from(Rest.WINDOW):
            window_closes = self._deadline(Rest.WINDOW, policy.free_cancellation_window)
            await steps.wait(lambda: False, deadline=window_closes, rest=Rest.WINDOW)
        if self._from(Rest.REVIEW_BEFORE_CAPTURE):
            await steps.wait(lambda: order.under_review is None, rest=Rest.REVIEW_BEFORE_CAPTURE)
            await self._capture_payment()
        if self._from(Rest.REVIEW_BEFORE_LABEL):
            await steps.wait(lambda: order.under_review is None, rest=Rest.REVIEW_BEFORE_LABEL)
            await self._buy_label()
        if self._from(Rest.AWAIT_PICKUP):
            deadline = self._carried(Rest.AWAIT_PICKUP)
            await self._carrier.until(
                self._picked_up, CarrierWait.AWAIT_PICKUP, policy.pickup_deadline, Rest.AWAIT_PICKUP, deadline
            )
            ship = ShipStock(order_id=order.order_id, idempotency_key=keys.forward(order.order_id, "ship_stock"))
            await steps.step(InventoryActivities.ship_stock, lambda: ship, options.INVENTORY)
            order.record_stock(StockState.SHIPPED, workflow.now())
            await steps.checkpoint()
        if self._from(Rest.AWAIT_DELIVERY):
            deadline = self._carried(Rest.AWAIT_DELIVERY)
            await self._carrier.until(
                self._delivered, CarrierWait.AWAIT_DELIVERY, policy.delivery_deadline, Rest.AWAIT_DELIVERY, deadline
            )
            await steps.wait(lambda: order.open_request is None)
        returns_close = self._deadline(Rest.RETURN_PERIOD, policy.return_period)
        await steps.wait(lambda: False, deadline=returns_close, rest=Rest.RETURN_PERIOD)
        if not self._reversal.refunds_settled:
            await steps.wait(lambda: self._reversal.refunds_settled)  # every refund settled first
        order.move(OrderStatus.COMPLETED, workflow.now())
        ctx.publish()

    def _from(self, rest: Rest) -> bool:
        """Whether the story goes through `rest`: always, unless a continued run took it up later."""
        return self._resume is None or self._resume.rest.at_or_before(rest)

    def _carried(self, rest: Rest) -> datetime | None:
        """The deadline of the wait a continued run takes up at `rest`; None for every other wait."""
        resume, self._resume = self._resume, None
        return resume.deadline if resume is not None and resume.rest is rest else None

    def _deadline(self, rest: Rest, wait: timedelta) -> datetime:
        """When the timed wait at `rest` ends: as carried by a continued run taking it up, or `wait` from now."""
        return self._carried(rest) or workflow.now() + wait

    async def _authorize_payment(self) -> None:
        authorization = await self._hold(AuthorizePayment.for_order(self._ctx.command))
        if authorization is not None:
            self._ctx.order.record_authorization(authorization.authorization_id, authorization.amount_minor, workflow.now())
        await self._steps.checkpoint()

    async def _hold(self, request: AuthorizePayment) -> Authorization | None:
        """A hold on the card; None when the card declined it, which cancels the order (DECLINED) first in line."""
        order = self._ctx.order
        try:
            return await self._steps.step(
                PaymentActivities.authorize_payment,
                lambda: request,
                ends_order=True,
                lost=lambda: order.record_payment(PaymentState.UNCONFIRMED, workflow.now(), "the gateway's answer was lost"),
            )
        except ActivityError as error:
            self._cancel_for(error, CancelReason.DECLINED)
            return None

    async def _reserve_stock(self) -> None:
        order = self._ctx.order
        try:
            await self._steps.step(
                InventoryActivities.reserve_stock,
                self._reservation,
                options.INVENTORY,
                ends_order=True,
                lost=lambda: order.record_stock(StockState.UNCONFIRMED, workflow.now(), "the store's answer was lost"),
            )
        except ActivityError as error:
            self._cancel_for(error, CancelReason.INVENTORY)
        else:
            order.record_stock(StockState.RESERVED, workflow.now())
            assert self._reserved is not None
            reserved = {line.sku: line.quantity for line in self._reserved.lines}
            await self._reversal.give_back(surplus_units(order, reserved))
        await self._steps.checkpoint()

    async def _capture_payment(self) -> None:
        order = self._ctx.order
        if order.hold_lapsing(self._ctx.policy, workflow.now()) and workflow.patched(patches.REAUTHORIZE_LAPSED_HOLD):
            await self._reauthorize()
        try:
            captured = await self._steps.step(
                PaymentActivities.capture_payment, self._capture, hands_back=self._gateway_lapsed_the_hold
            )
        except ActivityError:
            # The gateway let the hold lapse sooner than the policy expects: renew it and capture on the new one.
            await self._reauthorize()
            captured = await self._steps.step(PaymentActivities.capture_payment, self._capture)
        order.record_capture(captured, workflow.now())
        await self._reversal.give_back(surplus_money(order))
        await self._steps.checkpoint()

    @staticmethod
    def _gateway_lapsed_the_hold(error: ActivityError) -> bool:
        return refused_with(error, HOLD_LAPSED) and workflow.patched(patches.RENEW_HOLD_THE_GATEWAY_LAPSED)

    async def _reauthorize(self) -> None:
        """Never capture against a lapsed hold: ask for a new one under a new key, for what capture
        takes; a card that declines it cancels the order (DECLINED), and the customer is told."""
        order = self._ctx.order
        order.record_hold_expired(workflow.now())
        request = AuthorizePayment.for_order(self._ctx.command).model_copy(
            update={
                "amount_minor": order.capturable_minor,
                "idempotency_key": keys.reauthorize(order.order_id, order.money.reauthorizations),
            }
        )
        authorization = await self._hold(request)
        if authorization is not None:
            order.record_reauthorization(authorization.authorization_id, authorization.amount_minor, workflow.now())
        await self._steps.checkpoint()

    async def _buy_label(self) -> None:
        label = await self._steps.step(CarrierActivities.create_shipment, self._label, lost=self._label_lost)
        shipment = Shipment(shipment_id=label.shipment_id, tracking_number=label.tracking_number)
        self._ctx.order.record_label(shipment, workflow.now())
        await self._steps.checkpoint()

    # What the steps ask for, built from the lines still open each time a step is tried: lines
    # cancelled while a failed step waited for a person are neither reserved, charged nor packed.

    def _reservation(self) -> ReserveStock:
        order = self._ctx.order
        lines = [StockLine(sku=line.sku, quantity=line.open_quantity) for line in order.lines if line.open_quantity]
        key = keys.forward(order.order_id, "reserve_stock")
        self._reserved = ReserveStock(order_id=order.order_id, lines=lines, idempotency_key=key)
        return self._reserved

    def _capture(self) -> CapturePayment:
        order = self._ctx.order
        assert order.authorization_id is not None
        return CapturePayment(
            order_id=order.order_id,
            authorization_id=order.authorization_id,
            amount_minor=order.capturable_minor,
            idempotency_key=keys.capture(order.order_id, order.money.reauthorizations),
        )

    def _label(self) -> CreateShipment:
        return CreateShipment.for_order(self._ctx.command, self._ctx.order.open_units)

    def _label_lost(self) -> None:
        # Orders that lost a label's answer before this was known replay without it.
        if workflow.patched(patches.VOID_LABEL_OF_LOST_ANSWER):
            self._ctx.order.record_label_unconfirmed(self._ctx.order.open_units, workflow.now())

    def _picked_up(self) -> bool:
        return self._ctx.order.stage in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)

    def _delivered(self) -> bool:
        return self._ctx.order.stage is OrderStatus.DELIVERED

    def _cancel_for(self, error: ActivityError, reason: CancelReason) -> None:
        """A business refusal that ends the order: it is cancelled by the system, first in line."""
        problem, refused = describe(error)
        if not refused:
            raise error
        request = CancellationRequest(
            request_id=system_request_id(reason), reason=reason, requested_by=RequestedBy.SYSTEM, note=problem
        )
        self._inbox.receive_first(request)
