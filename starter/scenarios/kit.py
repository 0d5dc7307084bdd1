"""What every scenario needs: an order of its own (fresh ids, fresh skus, its own customer) and ways to drive it.
The facts of each third party's ledger are read through starter.scenarios.ledgers."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.placement import Address, OrderLine, PlaceOrder
from domain.policy import Policy
from domain.requests import (
    CancellationOutcome,
    CancellationRequest,
    CancellationReview,
    CancelReason,
    LineSelection,
    RefundDestination,
    RequestedBy,
    Resolution,
    ResolutionAction,
    ReviewDecision,
)
from domain.shipment import ShipmentEventType
from starter.inputs import DEMO_ADDRESS
from starter.scenarios.context import Context
from starter.scenarios.ledgers import Ledgers

GOOD_CARD = "pm_card_visa"
DECLINED_CARD = "pm_card_chargeDeclined"
# Two lines, so that all-or-nothing reservation and per-sku conservation are both visible.
LINES = {"A": (2, 1250), "B": (1, 800)}
FEE = 500
SEED = 5
# Long enough to act inside the window on a loaded machine; short enough to end a capture scenario quickly.
LONG_WINDOW = timedelta(seconds=60)
SHORT_WINDOW = timedelta(seconds=1)
# For a request that must land inside the window, sent once the order is confirmed, with capture soon after.
ACT_WINDOW = timedelta(seconds=4)
# After the window a customer asks customer service, whose cancellations are granted without review.
AFTER_WINDOW = RequestedBy.CUSTOMER_SERVICE
# The carrier stand-in refuses every intercept of a parcel going to this postal code (sandbox.intercept).
UNINTERCEPTABLE = DEMO_ADDRESS.model_copy(update={"postal_code": "00000"})
# The payment stand-in lets this card pay, but every refund to it fails (sandbox.cards).
REFUND_FAILS_CARD = "pm_card_refundFail"
# Every customer request goes to customer-service review, inside the window too.
REVIEW_EVERYTHING: dict[str, Any] = {"review_above_minor": 0}


# Who decides reviews and resolves problems in the scenarios.
REVIEWER = "scenario-agent"


class Failed(AssertionError):
    """A scenario's expectation did not hold; the message is its one-line report."""


class ScenarioOrder(Ledgers):
    """One scenario's order: unique order id, customer and skus, its stock seeded, and its policy short.

    `policy` changes the scenario's Policy (e.g. review settings), so that whether a request goes
    to review is decided by the scenario, not by how fast the machine is.
    """

    def __init__(
        self,
        ctx: Context,
        scenario: str,
        *,
        window: timedelta,
        card: str = GOOD_CARD,
        stock: dict[str, int] | None = None,
        address: Address = DEMO_ADDRESS,
        policy: dict[str, Any] | None = None,
    ) -> None:
        suffix = uuid.uuid4().hex[:12]
        self.ctx = ctx
        self.order_id = f"{scenario.replace('_', '-')}-{suffix}"
        self.customer_id = f"customer-{suffix}"
        ctx.placed(self.order_id)
        self.skus = {letter: f"SC-{suffix}-{letter}" for letter in LINES}
        self.seeded = {self.skus[letter]: (stock or {}).get(letter, SEED) for letter in LINES}
        self.command = PlaceOrder(
            order_id=self.order_id,
            customer_id=self.customer_id,
            customer_email=f"{self.order_id}@example.com",
            lines=[OrderLine(sku=self.skus[k], quantity=q, unit_price_minor=p) for k, (q, p) in LINES.items()],
            shipping_address=address,
            shipping_fee_minor=FEE,
            currency="EUR",
            payment_method=card,
            policy=Policy.model_validate(
                {
                    "free_cancellation_window": window,
                    "return_period": timedelta(seconds=1),
                    "answer_period": timedelta(seconds=10),
                    **(policy or {}),
                }
            ),
        )
        self.total = self.command.total_minor
        self.quantities = {self.skus[k]: q for k, (q, _) in LINES.items()}

    async def place(self) -> None:
        for sku, units in self.seeded.items():
            await self.ctx.inventory.set_stock(sku, units)
        await self.ctx.orders.place(self.command)

    async def until(self, predicate: Callable[[Order], bool], what: str) -> Order:
        try:
            return await self.ctx.orders.wait_for(self.order_id, predicate, timeout=self.ctx.timeout)
        except TimeoutError as error:
            raise Failed(f"waiting for {what}: {error}") from None

    async def until_status(self, status: OrderStatus) -> Order:
        return await self.until(lambda order: order.status is status, status.value)

    async def until_captured(self) -> Order:
        return await self.until(lambda order: order.captured_minor > 0, "the capture")

    async def until_labelled(self) -> Order:
        return await self.until(lambda order: order.shipment is not None, "a label")

    async def hand_to_carrier(self) -> Order:
        """The carrier picks the parcel up; the order once its units have left with it."""
        order = await self.until_labelled()
        await self.scan(ShipmentEventType.PICKED_UP, order)
        return await self.until(lambda o: o.stock is StockState.SHIPPED, "the units to leave with the carrier")

    async def deliver(self, until: OrderStatus = OrderStatus.COMPLETED) -> Order:
        """The parcel is picked up and delivered straight away; the order once it reaches `until`."""
        order = await self.until_labelled()
        await self.scan(ShipmentEventType.PICKED_UP, order)
        await self.scan(ShipmentEventType.DELIVERED, order)
        return await self.until_status(until)

    def request(
        self,
        *,
        by: RequestedBy = RequestedBy.CUSTOMER,
        reason: CancelReason = CancelReason.CUSTOMER,
        lines: dict[str, int] | None = None,
        refund_to: RefundDestination = RefundDestination.ORIGINAL,
    ) -> CancellationRequest:
        """A customer's own cancellation; `by` CUSTOMER_SERVICE when a person cancels on the customer's behalf.
        `lines` (letter -> quantity, e.g. {"A": 1}) cancels only those units."""
        selection = None if lines is None else tuple(LineSelection(sku=self.skus[k], quantity=q) for k, q in lines.items())
        return CancellationRequest(
            request_id=f"r-{uuid.uuid4().hex[:12]}", reason=reason, requested_by=by, lines=selection, refund_to=refund_to
        )

    async def cancel(self, request: CancellationRequest) -> CancellationOutcome:
        return await self.ctx.orders.cancel(self.order_id, request)

    async def review(self, request_id: str, decision: ReviewDecision, note: str | None = None) -> CancellationOutcome:
        review = CancellationReview(request_id=request_id, decision=decision, reviewer=REVIEWER, note=note)
        return await self.ctx.orders.review(self.order_id, review)

    async def resolve(self, action: ResolutionAction) -> Order:
        return await self.ctx.orders.resolve(self.order_id, Resolution(action=action, by=REVIEWER))

    async def scan(self, event: ShipmentEventType, order: Order) -> None:
        """The carrier scans the parcel; its webhook (the sandbox's forwarder) tells the order."""
        assert order.shipment is not None
        path = f"/carrier/shipments/{order.shipment.shipment_id}/scan"
        (await self.ctx.sandbox.post(path, json={"event": event.value})).raise_for_status()
