"""Which orders wait for customer service's review.

Visibility cannot see a cancellation record's outcome: the NeedsAttention search attribute
turns true only once a review is *escalated* (overdue), so listing on it would hide every
review still inside its deadline. So visibility only narrows the search to orders that can
hold an open request (running, not yet CANCELLED or COMPLETED), and each one's `status`
query decides. That costs one query per open order, so the scan is capped, and the result
says when it was: the newest `scan` open orders are checked, older ones are not.
"""

import asyncio
from datetime import datetime

from pydantic import BaseModel

from domain.order import Order
from domain.requests import CancelReason, RequestedBy
from starter.client import WORKFLOW, OrdersClient
from starter.errors import OrderNotFound

OPEN_ORDERS = (
    f'WorkflowType="{WORKFLOW}" AND ExecutionStatus="Running" AND OrderStatus NOT IN ("CANCELLED", "COMPLETED")'
)
# Queries load each order's workflow on the worker: a few at a time keeps the worker serving orders.
CONCURRENT_QUERIES = 8


class PendingReview(BaseModel):
    order_id: str
    request_id: str
    reason: CancelReason
    requested_by: RequestedBy
    what: str  # "whole order" or "1 x SKU, ..."
    since: datetime
    escalated: bool
    order_status: str


class ReviewQueue(BaseModel):
    reviews: list[PendingReview]
    checked: int
    capped: bool  # more open orders exist than were checked

    def note(self) -> str:
        found = f"{len(self.reviews)} request(s) awaiting review among {self.checked} open order(s) checked"
        if self.capped:
            found += f"; only the newest {self.checked} open orders were checked (raise --scan to look further)"
        return found


def pending_review(order: Order) -> PendingReview | None:
    record = order.under_review
    if record is None:
        return None
    what = ", ".join(f"{line.quantity} x {line.sku}" for line in record.lines) if record.lines else "whole order"
    return PendingReview(
        order_id=order.order_id,
        request_id=record.request_id,
        reason=record.reason,
        requested_by=record.requested_by,
        what=what,
        since=record.at,
        escalated=record.escalated,
        order_status=order.status.value,
    )


async def pending_reviews(orders: OrdersClient, *, scan: int = 500) -> ReviewQueue:
    """The requests awaiting review among the newest `scan` open orders, oldest request first."""
    listed = orders.client.list_workflows(OPEN_ORDERS, limit=scan + 1)
    ids = [execution.id.removeprefix("order-") async for execution in listed]
    capped, ids = len(ids) > scan, ids[:scan]
    gate = asyncio.Semaphore(CONCURRENT_QUERIES)

    async def check(order_id: str) -> PendingReview | None:
        async with gate:
            try:
                return pending_review(await orders.status(order_id))
            except OrderNotFound:
                return None  # deleted since it was listed (retention): it holds no review

    found = [review for review in await asyncio.gather(*(check(i) for i in ids)) if review is not None]
    return ReviewQueue(reviews=sorted(found, key=lambda r: r.since), checked=len(ids), capped=capped)
