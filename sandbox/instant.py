"""Instant, in-process adapters of the four ports: every call succeeds at once.

The benchmark runs OrderWorkflow over them to measure what our orchestration costs on top of
Temporal, without any third party's latency. Each call also tells `Milestones` what happened to
which order, so a driver waits for "the confirmation is sent" or "the label is bought" the way
a storefront hears of it, without polling the workflow.
"""

import asyncio
from collections import defaultdict

from activities.carrier import CreateShipment, HoldPickup, Label, ReleasePickup, RequestIntercept, VoidLabel
from activities.inventory import ReleaseStock, ReserveStock, RestockReturned, ShipStock
from activities.payment import (
    Authorization,
    AuthorizePayment,
    CapturePayment,
    FollowRefund,
    IssueStoreCredit,
    Refund,
    RefundPayment,
    RefundStatus,
    StoreCredit,
    VoidAuthorization,
)
from domain.messages import CustomerMessage


class Milestones:
    """What the adapters were asked to do, per order: `reached(order_id, "CONFIRMATION")` waits for it.

    A driver may `hold` a milestone: the call that reaches it then stays in flight until `release`,
    so that a request is sent while that step runs.
    """

    def __init__(self) -> None:
        self._events: defaultdict[tuple[str, str], asyncio.Event] = defaultdict(asyncio.Event)
        self._holds: dict[tuple[str, str], asyncio.Event] = {}

    def mark(self, order_id: str, what: str) -> None:
        self._events[order_id, what].set()

    async def reach(self, order_id: str, what: str) -> None:
        """Mark the milestone, and stay there while a driver holds it."""
        self.mark(order_id, what)
        hold = self._holds.get((order_id, what))
        if hold is not None:
            await hold.wait()

    def hold(self, order_id: str, what: str) -> None:
        self._holds[order_id, what] = asyncio.Event()

    def release(self, order_id: str, what: str) -> None:
        self._holds.pop((order_id, what)).set()

    async def reached(self, order_id: str, what: str) -> None:
        await self._events[order_id, what].wait()

    def forget(self, order_id: str) -> None:
        for key in [key for key in self._events if key[0] == order_id]:
            del self._events[key]


class InstantPayments:
    def __init__(self, milestones: Milestones) -> None:
        self._milestones = milestones

    async def authorize(self, request: AuthorizePayment) -> Authorization:
        return Authorization(authorization_id=f"pi_{request.order_id}", amount_minor=request.amount_minor)

    async def capture(self, request: CapturePayment) -> int:
        await self._milestones.reach(request.order_id, "CAPTURE")
        return request.amount_minor

    async def void(self, request: VoidAuthorization) -> None:
        return None

    async def refund(self, request: RefundPayment) -> Refund:
        return Refund(refund_id=f"re_{request.idempotency_key}", amount_minor=request.amount_minor, status=RefundStatus.PENDING)

    async def refund_status(self, request: FollowRefund) -> Refund:
        return Refund(refund_id=request.refund_id, amount_minor=0, status=RefundStatus.SUCCEEDED)

    async def issue_store_credit(self, request: IssueStoreCredit) -> StoreCredit:
        return StoreCredit(credit_id=f"sc_{request.idempotency_key}", amount_minor=request.amount_minor)


class InstantInventory:
    async def reserve(self, request: ReserveStock) -> None:
        return None

    async def release(self, request: ReleaseStock) -> None:
        return None

    async def ship(self, request: ShipStock) -> None:
        return None

    async def restock_returned(self, request: RestockReturned) -> None:
        return None


class InstantCarrier:
    def __init__(self, milestones: Milestones) -> None:
        self._milestones = milestones

    async def create_shipment(self, request: CreateShipment) -> Label:
        self._milestones.mark(request.order_id, "LABEL")
        tracking = f"TRK-{request.order_id}"
        return Label(shipment_id=f"shp_{request.order_id}", tracking_number=tracking, label_url=f"https://label.invalid/{tracking}")

    async def void_label(self, request: VoidLabel) -> None:
        return None

    async def request_intercept(self, request: RequestIntercept) -> None:
        self._milestones.mark(request.order_id, "INTERCEPT")

    async def hold_pickup(self, request: HoldPickup) -> bool:
        return True

    async def release_pickup(self, request: ReleasePickup) -> None:
        return None


class InstantMailer:
    def __init__(self, milestones: Milestones) -> None:
        self._milestones = milestones

    async def send(self, message: CustomerMessage) -> None:
        self._milestones.mark(message.order_id, message.kind.value)
