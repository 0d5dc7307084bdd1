"""Which orders wait for customer service's review.

Visibility finds them (the PendingCancellation search attribute), and each one's `status` query
says what the request asks: who asked, which lines, since when, whether it is overdue.
"""

import asyncio
from datetime import datetime

from pydantic import BaseModel

from domain.order import Order
from domain.requests import CancelReason, RequestedBy, Verdict
from starter.client import WORKFLOW, OrdersClient
from starter.errors import OrderNotFound
from workflows.search import PENDING_CANCELLATION

AWAITING_REVIEW = f'WorkflowType="{WORKFLOW}" AND {PENDING_CANCELLATION.name}="{Verdict.PENDING_REVIEW.value}"'
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
    capped: bool  # more orders await review than were listed

    def note(self) -> str:
        if self.capped:
            return f"only the {len(self.reviews)} newest are shown (raise --limit to see more)"
        return ""


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


async def pending_reviews(orders: OrdersClient, *, limit: int = 50) -> ReviewQueue:
    """The requests awaiting review in the newest `limit` orders that have one, oldest request first."""
    listed = orders.client.list_workflows(AWAITING_REVIEW, limit=limit + 1)
    ids = [execution.id.removeprefix("order-") async for execution in listed]
    capped, ids = len(ids) > limit, ids[:limit]
    gate = asyncio.Semaphore(CONCURRENT_QUERIES)

    async def check(order_id: str) -> PendingReview | None:
        async with gate:
            try:
                # None when decided since it was listed: visibility trails the order by a moment.
                return pending_review(await orders.status(order_id))
            except OrderNotFound:
                return None  # deleted since it was listed (retention): it holds no review

    found = [review for review in await asyncio.gather(*(check(i) for i in ids)) if review is not None]
    return ReviewQueue(reviews=sorted(found, key=lambda r: r.since), capped=capped)
