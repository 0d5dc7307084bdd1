"""The forward story: one order from payment to delivery, one step at a time."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.carrier import CarrierActivities, CreateShipment, HoldPickup, ReleasePickup
    from activities.inventory import InventoryActivities, ReserveStock, ShipStock, StockLine
    from activities.mail import MailActivities
    from activities.payment import AuthorizePayment, CapturePayment, PaymentActivities
    from domain import messages
    from domain.cancellation import surplus_money, surplus_units
    from domain.order import Order, OrderStatus, PaymentState, StockState
    from domain.placement import PlaceOrder, idempotency_key
    from domain.requests import CancellationRequest, CancelReason, RequestedBy, ResolutionAction, system_request_id
    from domain.shipment import RETURNED_UNDELIVERED, CarrierWait, Shipment, came_back
    from workflows import options, patches
    from workflows.attention import Attention
    from workflows.inbox import Inbox
    from workflows.reversal import Reversal
    from workflows.search import Publisher
    from workflows.step_failures import describe
    from workflows.waiting import Waiting


class Fulfilment:
    """Authorizes, reserves, confirms, captures, buys the label, ships and completes the order.

    Requests arriving while a step runs wait for its result; after each step the checkpoint
    decides them and runs what they set in motion. Once the order is cancelled, the
    Reversal raises OrderEnded and no forward step runs again.
    """

    def __init__(
        self,
        command: PlaceOrder,
        order: Order,
        waiting: Waiting,
        inbox: Inbox,
        reversal: Reversal,
        attention: Attention,
        publisher: Publisher,
    ) -> None:
        self._command = command
        self._policy = command.policy
        self._order = order
        self._waiting = waiting
        self._inbox = inbox
        self._reversal = reversal
        self._attention = attention
        self._publisher = publisher
        self._reserved: ReserveStock | None = None  # the reservation last asked for: what the store holds once it answers

    async def run(self) -> None:
        order, policy = self._order, self._policy
        # A cancellation sent with the start (signal- or update-with-start) was decided before
        # the run began: it ends the order before anything is held.
        await self._checkpoint()
        await self._authorize_payment()
        await self._reserve_stock()
        await self._step(MailActivities.send_message, lambda: messages.confirmation(order))
        order.record_confirmed(workflow.now() + policy.free_cancellation_window, workflow.now())
        await self._checkpoint()
        await self._wait(lambda: False, timeout=policy.free_cancellation_window)
        await self._wait(self._no_review_open)
        await self._capture_payment()
        await self._wait(self._no_review_open)
        await self._buy_label()
        await self._await_carrier(self._picked_up, CarrierWait.AWAIT_PICKUP, policy.pickup_deadline)
        ship = ShipStock(order_id=order.order_id, idempotency_key=self._key("ship"))
        await self._step(InventoryActivities.ship_stock, lambda: ship, options.INVENTORY)
        order.record_stock(StockState.SHIPPED, workflow.now())
        await self._checkpoint()
        await self._await_carrier(self._delivered, CarrierWait.AWAIT_DELIVERY, policy.delivery_deadline)
        await self._wait(lambda: order.open_request is None)
        await self._wait(lambda: False, timeout=policy.return_period)
        if not self._reversal.following.idle:
            await self._wait(lambda: self._reversal.following.idle)  # every refund settled first
        order.move(OrderStatus.COMPLETED, workflow.now())
        self._publisher.publish()

    async def _authorize_payment(self) -> None:
        request = AuthorizePayment.for_order(self._command)
        order = self._order
        try:
            authorization = await self._step(
                PaymentActivities.authorize_payment,
                lambda: request,
                ends_order=True,
                lost=lambda: order.record_payment(PaymentState.UNCONFIRMED, workflow.now(), "the gateway's answer was lost"),
            )
        except ActivityError as error:
            self._cancel_for(error, CancelReason.DECLINED)
        else:
            order.record_authorization(authorization.authorization_id, authorization.amount_minor, workflow.now())
        await self._checkpoint()

    async def _reserve_stock(self) -> None:
        try:
            await self._step(
                InventoryActivities.reserve_stock,
                self._reservation,
                options.INVENTORY,
                ends_order=True,
                lost=lambda: self._order.record_stock(StockState.UNCONFIRMED, workflow.now(), "the store's answer was lost"),
            )
        except ActivityError as error:
            self._cancel_for(error, CancelReason.INVENTORY)
        else:
            self._order.record_stock(StockState.RESERVED, workflow.now())
            assert self._reserved is not None
            reserved = {line.sku: line.quantity for line in self._reserved.lines}
            await self._reversal.give_back(surplus_units(self._order, reserved))
        await self._checkpoint()

    async def _capture_payment(self) -> None:
        captured = await self._step(PaymentActivities.capture_payment, self._capture)
        self._order.record_capture(captured, workflow.now())
        await self._reversal.give_back(surplus_money(self._order))
        await self._checkpoint()

    async def _buy_label(self) -> None:
        label = await self._step(CarrierActivities.create_shipment, self._label, lost=self._label_lost)
        shipment = Shipment(shipment_id=label.shipment_id, tracking_number=label.tracking_number)
        self._order.record_label(shipment, workflow.now())
        await self._checkpoint()

    # What the steps ask for, built from the lines still open each time a step is tried: lines
    # cancelled while a failed step waited for a person are neither reserved, charged nor packed.

    def _reservation(self) -> ReserveStock:
        lines = [StockLine(sku=line.sku, quantity=line.open_quantity) for line in self._order.lines if line.open_quantity]
        self._reserved = ReserveStock(order_id=self._command.order_id, lines=lines, idempotency_key=self._key("reserve"))
        return self._reserved

    def _capture(self) -> CapturePayment:
        order = self._order
        assert order.authorization_id is not None
        return CapturePayment(
            order_id=order.order_id,
            authorization_id=order.authorization_id,
            amount_minor=order.capturable_minor,
            idempotency_key=self._key("capture"),
        )

    def _label_lost(self) -> None:
        # Orders that lost a label's answer before this was known replay without it.
        if workflow.patched(patches.VOID_LABEL_OF_LOST_ANSWER):
            self._order.record_label_unconfirmed(self._order.open_units, workflow.now())

    def _label(self) -> CreateShipment:
        return CreateShipment.for_order(self._command, self._order.open_units)

    def _picked_up(self) -> bool:
        return self._order.stage in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)

    def _delivered(self) -> bool:
        return self._order.stage is OrderStatus.DELIVERED

    def _no_review_open(self) -> bool:
        return self._order.under_review is None

    async def _step(
        self,
        activity: Callable[..., Any],
        build: Callable[[], Any],
        profile: options.Profile = options.THIRD_PARTY,
        *,
        ends_order: bool = False,
        lost: Callable[[], None] = lambda: None,
    ) -> Any:
        """A forward step: requests arriving meanwhile wait for its result; one that cannot be
        done waits for a person (unless its refusal ends the order, like a declined card).
        `build` makes the step's argument, again for a try after the third party said no;
        `lost` records that the step may have been done although its answer was lost."""
        retries = 0
        argument = build()
        while True:
            self._inbox.in_flight = True
            try:
                return await self._waiting.call(activity, argument, profile)
            except ActivityError as error:
                problem, refused = describe(error)
                if refused and ends_order:
                    raise
                self._inbox.in_flight = False
                # The answer was lost, not the call: the third party may have done it.
                resend = not refused and workflow.patched(patches.RESEND_AFTER_LOST_ANSWER)
                if resend:
                    lost()
                await self._checkpoint()
                name = activity.__name__
                problem = f"{name} failed: {problem}; retry it, or cancel the order"
                if await self._attention.ask(problem, name.upper(), [ResolutionAction.RETRY]) is None:
                    await self._reversal.run()  # a cancellation took the order over: compensate and end
                if resend:
                    # The same request under the same key makes the third party answer for what it
                    # did; the caller gives back what lines cancelled meanwhile no longer need.
                    continue
                if refused:
                    # The third party stored its "no" under the old key: ask again under a new one.
                    retries += 1
                argument = build()
                if retries and hasattr(argument, "idempotency_key"):
                    argument = argument.model_copy(update={"idempotency_key": f"{self._key(name)}-retry-{retries}"})
            finally:
                self._inbox.in_flight = False

    async def _checkpoint(self) -> None:
        """After a step: apply what arrived meanwhile, decide what waited, and run what was accepted."""
        self._inbox.apply_events()
        self._inbox.settle()
        await self._reversal.run()

    async def _wait(self, until: Callable[[], bool], *, timeout: timedelta | None = None) -> None:
        """Wait for a condition or a timeout, running accepted compensations meanwhile (which
        stop the story once the order is cancelled)."""
        deadline = None if timeout is None else workflow.now() + timeout
        while await self._waiting.until(lambda: until() or bool(self._inbox.work), deadline):
            if not self._inbox.work:
                return
            await self._reversal.run()

    async def _await_carrier(self, scanned: Callable[[], bool], wait: CarrierWait, patience: timedelta) -> None:
        """Wait for the carrier's scan; past `patience` a person chases the carrier, and each RETRY
        waits as long again. The scan itself closes the question (Order.record_shipment_event).
        Meanwhile a labelled parcel is held back from the carrier while a request awaits review."""
        # Orders started before deadlines and holds existed wait as they did (no timer, no hold).
        if not workflow.patched(patches.CARRIER_DEADLINES_AND_PICKUP_HOLD):
            await self._wait(scanned)
            return
        while True:
            await self._wait(lambda: scanned() or self._hold_due() or self._order.returned_undelivered, timeout=patience)
            if self._hold_due():
                await self._keep_pickup_hold()
                continue
            if scanned():
                return
            if self._order.returned_undelivered:
                await self._parcel_came_back()
                continue
            shipment = self._order.shipment
            if shipment is not None and shipment.held_for is not None:
                continue  # held by us for a review, which has a deadline of its own
            problem = wait.overdue(shipment, patience)
            resolution = await self._attention.ask(
                problem, wait.value, [ResolutionAction.RETRY], still_open=lambda: not scanned()
            )
            if resolution is None:
                await self._reversal.run()  # scanned meanwhile, or a cancellation took the order over

    async def _parcel_came_back(self) -> None:
        """A person decides: cancel the order (which restocks and refunds), or send the parcel again."""
        order = self._order
        assert order.shipment is not None
        actions = [ResolutionAction.MARK_RESOLVED]
        resolution = await self._attention.ask(
            came_back(order.shipment), RETURNED_UNDELIVERED, actions, still_open=lambda: order.returned_undelivered
        )
        if resolution is None:
            await self._reversal.run()  # the order was cancelled meanwhile
        else:
            order.record_resent(resolution.by, workflow.now())

    def _hold_due(self) -> bool:
        return self._order.pickup_hold_change() is not None

    async def _keep_pickup_hold(self) -> None:
        """Hold the labelled parcel while a request awaits review, and release it once the review is over."""
        order = self._order
        change = order.pickup_hold_change()
        assert change is not None and order.shipment is not None
        hold, request_id = change
        step = "hold_pickup" if hold else "release_pickup"
        asked = {"order_id": order.order_id, "shipment_id": order.shipment.shipment_id,
                 "idempotency_key": idempotency_key(order.order_id, step, request_id)}
        if hold:
            in_time = await self._step(CarrierActivities.hold_pickup, lambda: HoldPickup(**asked))
            order.record_pickup_held(request_id, in_time, workflow.now())
        else:
            await self._step(CarrierActivities.release_pickup, lambda: ReleasePickup(**asked))
            order.record_pickup_released(workflow.now())
        await self._checkpoint()

    def _cancel_for(self, error: ActivityError, reason: CancelReason) -> None:
        """A business refusal that ends the order: it is cancelled by the system, first in line."""
        problem, refused = describe(error)
        if not refused:
            raise error
        self._inbox.receive_first(
            CancellationRequest(
                request_id=system_request_id(reason),
                reason=reason,
                requested_by=RequestedBy.SYSTEM,
                note=problem,
            )
        )

    def _key(self, step: str) -> str:
        return idempotency_key(self._command.order_id, step)
