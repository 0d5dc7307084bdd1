"""In-memory fakes of the four ports, for workflow tests. Each keeps the real port's rules:
idempotency keys, decline cards, all-or-nothing reservations, unvoidable scanned labels.

A `Gate` lets a test hold a call in flight, to send a request while a step is running.
"""

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from activities.carrier import (
    CreateShipment,
    HoldPickup,
    Label,
    LabelNotVoidable,
    ReleasePickup,
    RequestIntercept,
    VoidLabel,
)
from activities.carrier_http import CarrierRefused
from activities.inventory import OutOfStock, ReleaseStock, ReserveStock, RestockReturned, ShipStock
from activities.order_events_http import DeliveryRefused
from activities.payment import (
    HOLD_LAPSED,
    AlreadyCaptured,
    Authorization,
    AuthorizePayment,
    CapturePayment,
    CardDeclined,
    FollowRefund,
    IssueStoreCredit,
    PaymentRefused,
    Refund,
    RefundPayment,
    RefundStatus,
    StoreCredit,
    VoidAuthorization,
)
from domain.messages import CustomerMessage
from domain.order_events import OrderEvent

DECLINED_CARD = "pm_card_chargeDeclined"
FAILING_REFUND_CARD = "pm_card_refundFail"  # Stripe's test card whose refunds fail after a while


@dataclass
class Gate:
    """Holds a call until opened; `entered` tells the test the call is in flight."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    opened: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def watching(cls) -> "Gate":
        """A gate already open: it holds nothing, it only tells the test the call was made."""
        gate = cls()
        gate.opened.set()
        return gate

    async def pass_through(self) -> None:
        self.entered.set()
        await self.opened.wait()


@dataclass
class FakePaymentGateway:
    authorized: dict[str, int] = field(default_factory=dict)
    captured: dict[str, int] = field(default_factory=dict)
    refunded: dict[str, int] = field(default_factory=dict)
    voided: set[str] = field(default_factory=set)
    credited: dict[str, int] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)
    payment_methods: dict[str, str] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    authorize_gate: Gate | None = None
    capture_gate: Gate | None = None
    down: bool = False  # every authorization fails as if the gateway were unreachable
    capture_down: bool = False  # every capture fails so, nothing captured
    capture_lost: bool = False  # every capture is done, but its answer is lost on the way back
    authorize_lost: bool = False  # every authorization is made, but its answer is lost on the way back
    refund_lost: bool = False  # every refund is started, but its answer is lost on the way back
    refunds_settle: bool = True  # False: refunds stay pending, as a slow bank's do
    credit_lost: bool = False  # every store credit is given, but its answer is lost on the way back
    decline_renewals: bool = False  # the card declines a new hold asked for after the first lapsed
    lapse_first_hold: bool = False  # the first hold lapsed sooner than the policy expects: capturing it is refused

    def _once(self, key: str) -> bool:
        self.calls[key] += 1
        return self.calls[key] == 1

    async def authorize(self, request: AuthorizePayment) -> Authorization:
        if self.authorize_gate:
            await self.authorize_gate.pass_through()
        if self.down:
            raise ConnectionError("gateway unreachable")
        renewal = not request.idempotency_key.endswith(":authorize")  # a new hold for one that lapsed
        if request.payment_method == DECLINED_CARD or (renewal and self.decline_renewals):
            raise CardDeclined("Your card was declined.", code="generic_decline")
        self.payment_methods[request.order_id] = request.payment_method
        authorization_id = f"pi_{request.idempotency_key}" if renewal else f"pi_{request.order_id}"
        self.authorized[authorization_id] = request.amount_minor
        if self.authorize_lost:
            raise ConnectionError("gateway timed out")
        return Authorization(authorization_id=authorization_id, amount_minor=request.amount_minor)

    async def capture(self, request: CapturePayment) -> int:
        if self.capture_gate:
            await self.capture_gate.pass_through()
        if self.capture_down:
            raise ConnectionError("gateway unreachable")
        if self.lapse_first_hold and request.authorization_id == f"pi_{request.order_id}":
            raise PaymentRefused("The authorization on this card expired before it was captured.", code=HOLD_LAPSED)
        if self._once(request.idempotency_key):
            self.captured[request.authorization_id] = request.amount_minor
        if self.capture_lost:
            raise ConnectionError("gateway timed out")
        return request.amount_minor

    async def void(self, request: VoidAuthorization) -> None:
        if request.authorization_id in self.captured:
            raise AlreadyCaptured("the hold was captured", self.captured[request.authorization_id])
        if self._once(request.idempotency_key):
            self.voided.add(request.authorization_id)

    async def refund(self, request: RefundPayment) -> Refund:
        if self._once(request.idempotency_key):
            self.refunded[request.authorization_id] = self.refunded.get(request.authorization_id, 0) + request.amount_minor
        refund_id = f"re_{request.idempotency_key}"
        refund = self.refunds.setdefault(
            refund_id, Refund(refund_id=refund_id, amount_minor=request.amount_minor, status=RefundStatus.PENDING)
        )
        if self.refund_lost:
            raise ConnectionError("gateway timed out")
        return refund

    async def refund_status(self, request: FollowRefund) -> Refund:
        """Settles on the first look: failed for the failing card, succeeded otherwise."""
        refund = self.refunds[request.refund_id]
        if refund.status is RefundStatus.PENDING and self.refunds_settle:
            failing = self.payment_methods.get(request.order_id) == FAILING_REFUND_CARD
            status = RefundStatus.FAILED if failing else RefundStatus.SUCCEEDED
            refund = self.refunds[request.refund_id] = refund.model_copy(
                update={"status": status, "failure_reason": "expired_or_canceled_card" if failing else None}
            )
            if failing:
                self.refunded[f"pi_{request.order_id}"] -= refund.amount_minor
        return refund

    async def issue_store_credit(self, request: IssueStoreCredit) -> StoreCredit:
        if self._once(request.idempotency_key):
            self.credited[request.customer_id] = self.credited.get(request.customer_id, 0) + request.amount_minor
        if self.credit_lost:
            raise ConnectionError("gateway timed out")
        return StoreCredit(credit_id=f"cr_{request.idempotency_key}", amount_minor=request.amount_minor)


@dataclass
class FakeInventoryStore:
    on_hand: Counter[str] = field(default_factory=Counter)
    reserved: dict[str, dict[str, int]] = field(default_factory=dict)
    shipped: Counter[str] = field(default_factory=Counter)
    quarantined: Counter[str] = field(default_factory=Counter)
    shipped_by_order: dict[str, Counter[str]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    ship_down: bool = False  # booking units out fails as if the database were unreachable
    ship_gate: Gate | None = None
    reserve_lost: bool = False  # every reservation is made, but its answer is lost on the way back
    release_down: bool = False  # releasing units fails as if the database were unreachable

    async def reserve(self, request: ReserveStock) -> None:
        if request.order_id not in self.reserved:
            self._reserve(request)
        if self.reserve_lost:
            raise ConnectionError("inventory database timed out")

    def _reserve(self, request: ReserveStock) -> None:
        short = [line.sku for line in request.lines if self.on_hand[line.sku] < line.quantity]
        if short:
            raise OutOfStock(f"not enough {short[0]}", code=short[0])
        for line in request.lines:
            self.on_hand[line.sku] -= line.quantity
        self.reserved[request.order_id] = {line.sku: line.quantity for line in request.lines}

    async def release(self, request: ReleaseStock) -> None:
        if self.release_down:
            raise ConnectionError("inventory database unreachable")
        if request.idempotency_key in self.keys:
            return
        self.keys.add(request.idempotency_key)
        target = self.on_hand if request.restock else self.quarantined
        held = self.reserved.get(request.order_id, {})
        wanted = {line.sku: line.quantity for line in request.lines} if request.lines else dict(held)
        for sku, quantity in wanted.items():
            held[sku] -= quantity
            target[sku] += quantity

    async def ship(self, request: ShipStock) -> None:
        if self.ship_gate:
            await self.ship_gate.pass_through()
        if self.ship_down:
            raise ConnectionError("inventory database unreachable")
        for sku, quantity in self.reserved.get(request.order_id, {}).items():
            self.shipped[sku] += quantity
            self.shipped_by_order.setdefault(request.order_id, Counter())[sku] += quantity
        self.reserved[request.order_id] = {}

    async def restock_returned(self, request: RestockReturned) -> None:
        target = self.on_hand if request.restock else self.quarantined
        for sku, quantity in self.shipped_by_order.pop(request.order_id, Counter()).items():
            self.shipped[sku] -= quantity
            target[sku] += quantity


@dataclass
class FakeCarrier:
    labels: dict[str, str] = field(default_factory=dict)
    voided: set[str] = field(default_factory=set)
    scanned: set[str] = field(default_factory=set)
    intercepts: list[str] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    holds: list[str] = field(default_factory=list)  # the keys of every hold and release, in order
    label_gate: Gate | None = None
    intercept_gate: Gate | None = None
    hold_gate: Gate | None = None
    label_lost: bool = False  # every label is bought, but its answer is lost on the way back
    release_gate: Gate | None = None
    never_scanned: bool = False  # the warehouse handed the parcel over, but the carrier has no scan of it

    async def create_shipment(self, request: CreateShipment) -> Label:
        if self.label_gate:
            await self.label_gate.pass_through()
        shipment_id = f"shp_{request.order_id}"
        self.labels[shipment_id] = request.idempotency_key
        if self.label_lost:
            raise ConnectionError("carrier timed out")
        return Label(shipment_id=shipment_id, tracking_number=f"1Z{request.order_id}", label_url="https://labels/x")

    async def void_label(self, request: VoidLabel) -> None:
        if request.shipment_id in self.scanned:
            raise LabelNotVoidable("parcel already scanned")
        self.voided.add(request.shipment_id)

    async def request_intercept(self, request: RequestIntercept) -> None:
        """Files the request; the test plays the carrier's answer as shipment events."""
        if self.intercept_gate:
            await self.intercept_gate.pass_through()
        if self.never_scanned:
            raise CarrierRefused("no parcel with the carrier to intercept; void its label", code="nothing_to_intercept")
        self.intercepts.append(request.idempotency_key)

    async def hold_pickup(self, request: HoldPickup) -> bool:
        if self.hold_gate:
            await self.hold_gate.pass_through()
        if request.shipment_id in self.scanned:
            return False
        self.held.add(request.shipment_id)
        self.holds.append(request.idempotency_key)
        return True

    async def release_pickup(self, request: ReleasePickup) -> None:
        if self.release_gate:
            await self.release_gate.pass_through()
        self.held.discard(request.shipment_id)
        self.holds.append(request.idempotency_key)


@dataclass
class FakeMailer:
    """Counts deliveries per key: a duplicate shows up as a count above one."""

    sent: Counter[str] = field(default_factory=Counter)
    messages: list[CustomerMessage] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def send(self, message: CustomerMessage) -> None:
        self.sent[message.key] += 1
        self.messages.append(message)
        async with self.arrived:
            self.arrived.notify_all()

    async def wait_for(self, kind: str, count: int = 1) -> None:
        """Until `count` messages of this kind have been sent."""
        async with self.arrived:
            await self.arrived.wait_for(lambda: sum(m.kind.value == kind for m in self.messages) >= count)

    def kinds(self, order_id: str) -> list[str]:
        return [m.kind.value for m in self.messages if m.order_id == order_id]


@dataclass
class FakeEventReceivers:
    """Subscribers to order events: refuses for those `down`, keeps (subscriber, event id) for the others, repeats included."""

    down: set[str] = field(default_factory=set)
    received: list[tuple[str, str]] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)

    async def deliver(self, subscriber: str, event: OrderEvent) -> None:
        if subscriber in self.down:
            raise DeliveryRefused(f"{subscriber}: HTTP 503")
        self.received.append((subscriber, event.id))
        self.types[event.id] = event.type.value

    def of(self, subscriber: str) -> list[str]:
        """The event ids this subscriber took, in the order it took them."""
        return [event_id for name, event_id in self.received if name == subscriber]
