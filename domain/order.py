"""The order: what was bought, and the facts of what has happened to it so far."""

from datetime import datetime

from pydantic import computed_field

from domain.currency import money
from domain.errors import InvalidTransition, InvariantViolation
from domain.lifecycle import MOVES, TERMINAL, OrderStatus, Problem, StockState, TimelineEntry
from domain.lines import LineState
from domain.payment import PaymentState, PaymentView
from domain.placement import PlaceOrder
from domain.policy import Policy
from domain.requests import (
    CancellationOutcome,
    CancellationRecord,
    CancellationRequest,
    CancelReason,
    ResolutionAction,
    Verdict,
)
from domain.shipment import AFTER_PICKUP, CarrierWait, Shipment, ShipmentEvent, ShipmentEventType


class Order(PaymentView):
    """The state of one order: its input plus every fact recorded since.

    The workflow holds one and records each step's result through the methods below,
    which refuse anything that would break a money or lifecycle rule. The `status`
    query returns it as the order view.
    """

    order_id: str
    customer_id: str
    customer_email: str
    status: OrderStatus = OrderStatus.PLACED
    lines: list[LineState]
    shipping_fee_minor: int
    currency: str
    total_minor: int
    window_closes_at: datetime | None = None
    stock: StockState = StockState.NONE
    shipment: Shipment | None = None
    # A label was asked for these many units and the carrier's answer lost: one may exist.
    label_unconfirmed_units: int | None = None
    cancellation_reason: CancelReason | None = None
    attention: Problem | None = None
    cancellations: list[CancellationRecord] = []
    timeline: list[TimelineEntry] = []

    @classmethod
    def placed(cls, command: PlaceOrder, at: datetime) -> "Order":
        order = cls(
            order_id=command.order_id,
            customer_id=command.customer_id,
            customer_email=command.customer_email,
            lines=[LineState(**line.model_dump()) for line in command.lines],
            shipping_fee_minor=command.shipping_fee_minor,
            currency=command.currency,
            total_minor=command.total_minor,
        )
        order.note(at, "PLACED", f"{len(command.lines)} line(s), total {order.told(command.total_minor)}")
        return order

    # Facts derived from the record.

    def told(self, amount_minor: int) -> str:
        """An amount of this order's currency as people read it (12.50 EUR, 1250 JPY)."""
        return money(amount_minor, self.currency)

    @property
    def outstanding_minor(self) -> int:
        """Money taken from the customer and neither given back nor on its way back."""
        return self.money.outstanding_minor

    @property
    def open_units(self) -> int:
        """Units of every line not cancelled: what a parcel of this order holds."""
        return sum(line.open_quantity for line in self.lines)

    @property
    def open_value_minor(self) -> int:
        return sum(line.open_quantity * line.unit_price_minor for line in self.lines)

    @property
    def anything_open(self) -> bool:
        return any(line.open_quantity for line in self.lines)

    @property
    def capturable_minor(self) -> int:
        """What capture takes: the lines still open, and the shipping fee if anything ships."""
        return self.open_value_minor + self.shipping_fee_minor if self.anything_open else 0

    @property
    def overcaptured_minor(self) -> int:
        """Captured beyond what the open lines cost: a capture re-sent after its answer was lost
        asks for what was open then, and lines cancelled meanwhile must be given back."""
        return max(0, self.outstanding_minor - self.capturable_minor)

    def beyond_open(self, quantities: dict[str, int]) -> dict[str, int]:
        """Of these units per sku (held for the order), those its lines no longer have open."""
        extra = {}
        for sku, quantity in quantities.items():
            line = self.line(sku)
            surplus = quantity - (line.open_quantity if line else 0)
            if surplus > 0:
                extra[sku] = surplus
        return extra

    @property
    def holds_authorization(self) -> bool:
        """A hold may be on the card: authorized, or asked for with the answer lost."""
        return self.money.holds_authorization

    @computed_field  # type: ignore[prop-decorator]
    @property
    def authorization_voided(self) -> bool:
        return self.money.state is PaymentState.VOIDED

    @computed_field  # type: ignore[prop-decorator]
    @property
    def partially_cancelled(self) -> bool:
        """Some units cancelled and some still going ahead; an order cancelled whole is not partially cancelled."""
        return self.anything_open and any(line.cancelled_quantity for line in self.lines)

    @property
    def has_live_label(self) -> bool:
        """A label can be voided only before the carrier's first scan; after it, it is spent."""
        return self.shipment is not None and not self.shipment.label_voided and self.shipment.last_event is None

    @property
    def stage(self) -> OrderStatus:
        """The lifecycle status, looking through NEEDS_ATTENTION to where the order stopped."""
        return self.attention.resume_status if self.attention else self.status

    def line(self, sku: str) -> LineState | None:
        return next((line for line in self.lines if line.sku == sku), None)

    def cancellation(self, request_id: str) -> CancellationRecord | None:
        return next((c for c in self.cancellations if c.request_id == request_id), None)

    @property
    def open_request(self) -> CancellationRecord | None:
        """The request awaiting a review or the carrier's answer, if any (at most one at a time)."""
        return next((c for c in self.cancellations if c.open), None)

    @property
    def needs_attention(self) -> bool:
        """A person must look: a step cannot be done, or a review has waited past its deadline."""
        return self.status is OrderStatus.NEEDS_ATTENTION or any(c.escalated and c.open for c in self.cancellations)

    @property
    def under_review(self) -> CancellationRecord | None:
        """The request awaiting a person's review, if any: fulfilment holds while there is one."""
        record = self.open_request
        return record if record is not None and record.outcome is Verdict.PENDING_REVIEW else None

    @property
    def returned_undelivered(self) -> bool:
        """The carrier brought the parcel back without being asked to (it could not deliver it)."""
        shipment = self.shipment
        return self.stage is OrderStatus.SHIPPED and shipment is not None and shipment.returned and self.open_request is None

    def record_resent(self, by: str, at: datetime) -> None:
        """A parcel that came back undelivered was sent again outside the system: its delivery is awaited anew."""
        assert self.shipment is not None
        self.shipment.resent()
        self.note(at, "PARCEL_RESENT", f"by {by}")

    def pickup_hold_change(self) -> tuple[bool, str] | None:
        """While a request awaits review, the labelled parcel is not handed to the carrier: (True,
        request_id) to hold it for that review, (False, request_id) to release the hold once the
        review is over; None when the hold already is as it should be, or the parcel has left."""
        if self.shipment is None or self.stage is not OrderStatus.FULFILLING or not self.has_live_label:
            return None
        review = self.under_review
        wanted = review.request_id if review is not None else None
        if wanted == self.shipment.held_for:
            return None
        return (True, wanted) if wanted is not None else (False, self.shipment.held_for or "")

    @property
    def settled(self) -> bool:
        """Nothing is left to give back: no money held or taken, no live label, no reserved unit."""
        return (
            self.money.settled
            and not self.has_live_label
            and self.label_unconfirmed_units is None
            and self.stock not in (StockState.RESERVED, StockState.UNCONFIRMED)
        )

    # Recording what happened. Each method checks first and changes the order only if allowed.

    def note(self, at: datetime, event: str, detail: str = "") -> None:
        self.timeline.append(TimelineEntry(at=at, event=event, detail=detail))

    def note_stray(self, at: datetime, event: str, detail: str) -> None:
        """A message the order did not act on: one entry counts its repeats, so that a flood of
        them does not grow the order without bound."""
        last = self.timeline[-1] if self.timeline else None
        if last is not None and (last.event, last.detail) == (event, detail):
            last.times += 1
        else:
            self.note(at, event, detail)

    def move(self, to: OrderStatus, at: datetime, detail: str = "") -> None:
        self._may_move(to)
        self.status = to
        self.note(at, to.value, detail)

    def _may_move(self, to: OrderStatus) -> None:
        if to not in MOVES[self.status] and not (to is OrderStatus.NEEDS_ATTENTION and self.status not in TERMINAL):
            raise InvalidTransition(f"order {self.order_id} cannot go from {self.status} to {to}")

    def record_answer(
        self,
        request: CancellationRequest,
        outcome: CancellationOutcome,
        selection: dict[str, int],
        at: datetime,
        superseded: CancellationOutcome | None = None,
    ) -> None:
        """Record a new request's answer; an accepted one takes its lines off the order at once.
        `superseded` settles the request awaiting review that this one overtook."""
        if superseded is not None:
            self.record_settlement(superseded.request_id, superseded, {}, at)
        record = CancellationRecord.of(request, outcome, at)
        if outcome.outcome is Verdict.ACCEPTED:
            self._take_off(selection, request, at)
        else:
            self.note(at, f"CANCELLATION_{outcome.outcome.value}", f"{request.request_id}: {outcome.reason_code or ''}")
        self.cancellations.append(record)

    def record_settlement(self, request_id: str, outcome: CancellationOutcome, selection: dict[str, int], at: datetime) -> None:
        """A pending review or intercept ended: accepted takes the lines off, rejected leaves the order as is."""
        record = self.cancellation(request_id)
        if record is None or not record.open:
            raise InvalidTransition(f"request {request_id} of order {self.order_id} is not awaiting a decision")
        if outcome.outcome is Verdict.ACCEPTED:
            self._take_off(selection, record.request(), at)
        else:
            self.note(at, f"CANCELLATION_{outcome.outcome.value}", f"{request_id}: {outcome.reason_code or ''}")
        record.settle(outcome)

    def _take_off(self, selection: dict[str, int], request: CancellationRequest, at: datetime) -> None:
        for sku, quantity in selection.items():
            line = self.line(sku)
            if line is None or quantity > line.open_quantity:
                raise InvariantViolation(f"cannot cancel {quantity} x {sku} of order {self.order_id}")
        if self.open_units == sum(selection.values()):
            if self.attention is not None:
                # A cancellation takes over an order stuck on a forward step: nothing is left to retry.
                self.status, self.attention = self.attention.resume_status, None
                self.note(at, "ATTENTION_CLOSED", "the order is being cancelled")
            self.move(OrderStatus.CANCELLING, at, f"{request.reason} requested by {request.requested_by}")
            self.cancellation_reason = request.reason
        else:
            self.note(at, "PARTIALLY_CANCELLED", ", ".join(f"{q} x {sku}" for sku, q in selection.items()))
        for sku, quantity in selection.items():
            line = self.line(sku)
            assert line is not None
            line.cancelled_quantity += quantity

    def record_cancelled(self, at: datetime) -> None:
        if not self.settled:
            raise InvariantViolation(f"order {self.order_id} cannot be CANCELLED while money or goods are still held")
        self.move(OrderStatus.CANCELLED, at)

    def record_confirmed(self, window_closes_at: datetime, at: datetime) -> None:
        self.move(OrderStatus.CONFIRMED, at, "confirmation sent")
        self.window_closes_at = window_closes_at

    def record_authorization(self, authorization_id: str, amount_minor: int, at: datetime) -> None:
        self.move(OrderStatus.PAYMENT_AUTHORIZED, at, f"{self.told(amount_minor)} held")
        self.money.hold(authorization_id, amount_minor, at)

    def hold_lapsing(self, policy: Policy, now: datetime) -> bool:
        """The card hold lapses before (or too near) capture, after a long window or a long review:
        a new hold is asked for first, so that nothing is captured against a lapsed one."""
        expires = self.money.hold_expires_at(policy.authorization_valid_for)
        return expires is not None and now >= expires - policy.reauthorize_before_expiry

    def record_hold_expired(self, at: datetime) -> None:
        self.money.expire()
        self.note(at, "AUTHORIZATION_EXPIRED", f"the hold {self.money.authorization_id} lapsed before capture")

    def record_reauthorization(self, authorization_id: str, amount_minor: int, at: datetime) -> None:
        """A new hold in place of one that lapsed, under a new idempotency key."""
        self.money.hold(authorization_id, amount_minor, at)
        self.note(at, "REAUTHORIZED", f"{self.told(amount_minor)} held by {authorization_id}")

    def record_hold_found(self, authorization_id: str, amount_minor: int, at: datetime) -> None:
        """An authorization whose answer was lost turned out to hold money (found while cancelling)."""
        self.money.hold(authorization_id, amount_minor, at)
        self.note(at, "AUTHORIZATION_FOUND", f"{self.told(amount_minor)} held by {authorization_id}")

    def record_payment(self, state: PaymentState, at: datetime, detail: str) -> None:
        """What is known of the payment changed without money moving (an answer lost, or no hold after all)."""
        self.money.learned(state)
        self.note(at, f"PAYMENT_{state.value}", detail)

    def record_capture(self, amount_minor: int, at: datetime) -> None:
        self._may_move(OrderStatus.FULFILLING)  # checked first: a refused capture changes nothing
        self.money.capture(amount_minor)
        self.move(OrderStatus.FULFILLING, at, f"{self.told(amount_minor)} captured")

    def record_capture_found(self, amount_minor: int, at: datetime) -> None:
        """A void found the hold captured (a capture whose answer was lost): the money was taken."""
        if self.money.capture_found(amount_minor):
            self.note(at, "CAPTURE_FOUND", f"{self.told(amount_minor)} captured by a call whose answer was lost")

    def record_void(self, at: datetime) -> None:
        self.money.void()
        self.note(at, "AUTHORIZATION_VOIDED", f"hold of {self.told(self.money.authorized_minor)} released")

    def record_refund_started(self, amount_minor: int, at: datetime, detail: str) -> None:
        self.money.refund_started(amount_minor)
        self.note(at, "REFUND_PENDING", detail)

    def record_refund_settled(self, amount_minor: int, succeeded: bool, at: datetime, detail: str) -> None:
        self.money.refund_settled(amount_minor, succeeded)
        self.note(at, "REFUNDED" if succeeded else "REFUND_FAILED", detail)

    def record_refund(self, amount_minor: int, at: datetime, detail: str = "") -> None:
        """A refund that settled at once (a person refunding outside the system)."""
        self.record_refund_started(amount_minor, at, detail)
        self.record_refund_settled(amount_minor, True, at, detail)

    def record_store_credit(self, amount_minor: int, at: datetime, detail: str) -> None:
        self.money.store_credit(amount_minor)
        self.note(at, "REFUND_PENDING", detail)
        self.note(at, "REFUNDED", detail)

    def record_stock(self, state: StockState, at: datetime, detail: str = "") -> None:
        self.stock = state
        self.note(at, f"STOCK_{state.value}", detail)

    def record_label(self, shipment: Shipment, at: datetime) -> None:
        self.shipment = shipment
        self.label_unconfirmed_units = None
        self.note(at, "LABEL_CREATED", f"tracking {shipment.tracking_number}")

    def record_label_unconfirmed(self, parcel_units: int, at: datetime) -> None:
        self.label_unconfirmed_units = parcel_units
        self.note(at, "LABEL_UNCONFIRMED", f"a label for {parcel_units} unit(s) was asked for, the carrier's answer lost")

    def record_label_settled_outside(self, at: datetime, detail: str) -> None:
        """A person dealt with a label whose answer was lost (voided it at the carrier, or found none)."""
        self.label_unconfirmed_units = None
        self.note(at, "LABEL_SETTLED", detail)

    def record_label_void(self, at: datetime) -> None:
        assert self.shipment is not None
        self.shipment.void_label()
        self.note(at, "LABEL_VOIDED", self.shipment.tracking_number)

    def record_label_void_instead_of_intercept(self, at: datetime) -> None:
        """The carrier had no scan of a parcel the warehouse handed over: its label is voided, and
        the parcel, which never left, is back with us as an intercepted one would be."""
        assert self.shipment is not None
        self.shipment.void_label()
        self.shipment.scanned(ShipmentEventType.RETURNED_TO_SENDER)
        self.note(at, "LABEL_VOIDED", f"{self.shipment.tracking_number}: the carrier never scanned it, nothing to intercept")

    @property
    def parcel_never_left(self) -> bool:
        """The intercept was answered by voiding the label: the parcel is back without the carrier."""
        return self.shipment is not None and self.shipment.label_voided and self.shipment.returned

    def record_pickup_held(self, request_id: str, in_time: bool, at: datetime) -> None:
        """The parcel is held for this request's review. A hold asked too late (the carrier has the
        parcel) is kept as asked, not asked again: the pickup scan is on its way to the order."""
        assert self.shipment is not None
        self.shipment.hold_for(request_id)
        event = "PICKUP_HELD" if in_time else "PICKUP_HOLD_TOO_LATE"
        self.note(at, event, f"{self.shipment.tracking_number} for review of {request_id}")

    def record_pickup_released(self, at: datetime) -> None:
        assert self.shipment is not None
        self.note(at, "PICKUP_RELEASED", f"{self.shipment.tracking_number}, held for {self.shipment.held_for}")
        self.shipment.release_hold()

    def record_intercept_requested(self, at: datetime) -> None:
        assert self.shipment is not None
        self.shipment.request_intercept()
        self.note(at, "INTERCEPT_REQUESTED", self.shipment.tracking_number)

    def record_attention(self, problem: str, step: str, actions: list[ResolutionAction], at: datetime,
                         request_id: str | None = None) -> None:
        resume = self.stage
        self.move(OrderStatus.NEEDS_ATTENTION, at, problem)
        self.attention = Problem(
            problem=problem, step=step, request_id=request_id, actions=actions, resume_status=resume, since=at
        )

    def record_resolved(self, action: ResolutionAction, by: str, at: datetime, note: str | None = None) -> None:
        if self.attention is None:
            raise InvalidTransition(f"order {self.order_id} does not need attention")
        self.status = self.attention.resume_status
        self.attention = None
        self.note(at, "RESOLVED", f"{action} by {by}" + (f": {note}" if note else ""))

    def record_shipment_event(self, event: ShipmentEvent, at: datetime) -> bool:
        """Apply a scan or a carrier answer; False (and a note) for one that no longer applies,
        such as a webhook delivered twice."""
        shipment = self.shipment
        kind = event.type
        applies = shipment is not None and (
            (kind is ShipmentEventType.PICKED_UP and self.stage is OrderStatus.FULFILLING)
            or (kind is ShipmentEventType.DELIVERED and self.stage in (OrderStatus.FULFILLING, OrderStatus.SHIPPED))
            or (kind in AFTER_PICKUP and self.stage is OrderStatus.SHIPPED)
        )
        if not applies:
            self.note_stray(at, "SHIPMENT_EVENT_IGNORED", f"{kind} at {self.status}")
            return False
        assert shipment is not None
        shipment.scanned(kind)
        if kind in (ShipmentEventType.PICKED_UP, ShipmentEventType.DELIVERED) and self.stage is OrderStatus.FULFILLING:
            self._move_stage(OrderStatus.SHIPPED, at, f"tracking {shipment.tracking_number}")
        if kind is ShipmentEventType.DELIVERED:
            self._move_stage(OrderStatus.DELIVERED, at, "")
        elif kind is not ShipmentEventType.PICKED_UP:
            self.note(at, kind.value)
        if self.attention is not None and self.attention.step in self._scans_answer():
            # The scan a person was asked to chase has come: nothing is left for them to do.
            self.record_resolved(ResolutionAction.MARK_RESOLVED, "carrier", at, f"{kind} scanned")
        return True

    def _scans_answer(self) -> set[str]:
        """The waits for the carrier that the parcel's stage now answers."""
        answered = {CarrierWait.AWAIT_PICKUP.value} if self.stage in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) else set()
        return answered | ({CarrierWait.AWAIT_DELIVERY.value} if self.stage is OrderStatus.DELIVERED else set())

    def _move_stage(self, to: OrderStatus, at: datetime, detail: str) -> None:
        """Scans move the lifecycle on even while a person is looking at another problem."""
        if self.attention is not None:
            self.attention.resume_status = to
            self.note(at, to.value, detail)
        else:
            self.move(to, at, detail)
