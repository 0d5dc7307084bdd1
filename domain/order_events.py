"""Order events for subscribers (webhooks out): which facts of an order are told, and what each says.

An event is read off the order's timeline, which only ever grows: the entry's index makes the
event's id (`<order_id>:<index>`), so the same fact always has the same id, whichever run of the
order workflow reads it, and a receiver that saw an id before can drop the repeat.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from domain.order import Order
from domain.requests import CancellationRecord


class OrderEventType(StrEnum):
    CONFIRMED = "order.confirmed"
    CANCELLED = "order.cancelled"
    PARTIALLY_CANCELLED = "order.partially_cancelled"
    CANCELLATION_REJECTED = "order.cancellation_rejected"
    REFUND_SETTLED = "order.refund_settled"
    NEEDS_ATTENTION = "order.needs_attention"
    COMPLETED = "order.completed"


# The timeline entries that subscribers are told of. A refund to the card that failed settled too.
_TOLD: dict[str, OrderEventType] = {
    "CONFIRMED": OrderEventType.CONFIRMED,
    "CANCELLED": OrderEventType.CANCELLED,
    "PARTIALLY_CANCELLED": OrderEventType.PARTIALLY_CANCELLED,
    "CANCELLATION_REJECTED": OrderEventType.CANCELLATION_REJECTED,
    "REFUNDED": OrderEventType.REFUND_SETTLED,
    "REFUND_FAILED": OrderEventType.REFUND_SETTLED,
    "NEEDS_ATTENTION": OrderEventType.NEEDS_ATTENTION,
    "COMPLETED": OrderEventType.COMPLETED,
}


class OrderEvent(BaseModel):
    """One fact of an order as a subscriber receives it (the webhook's JSON body)."""

    id: str
    type: OrderEventType
    order_id: str
    at: datetime  # when the order recorded it (the workflow's time, not the sending's)
    data: dict[str, Any]


EVENTS_WORKFLOW_PREFIX = "events-order-"


def events_workflow_id(order_id: str) -> str:
    """The id of the workflow that delivers the order's events (one per order). Not `order-...`: an order
    whose id began with `events-` would have it as its own workflow's id."""
    return f"{EVENTS_WORKFLOW_PREFIX}{order_id}"


def event_id(order_id: str, index: int) -> str:
    return f"{order_id}:{index}"


def event_index(event: OrderEvent) -> int:
    """The event's place in its order's timeline: later events have higher ones."""
    return int(event.id.rpartition(":")[2])


def events_since(order: Order, cursor: int) -> list[OrderEvent]:
    """The events among the order's timeline entries from index `cursor` on, oldest first."""
    return [
        OrderEvent(
            id=event_id(order.order_id, index),
            type=_TOLD[entry.event],
            order_id=order.order_id,
            at=entry.at,
            data=view(order, _TOLD[entry.event], entry.event, entry.detail),
        )
        for index, entry in enumerate(order.timeline[cursor:], start=cursor)
        if entry.event in _TOLD
    ]


def view(order: Order, kind: OrderEventType, entry: str, detail: str) -> dict[str, Any]:
    """The order as subscribers see it (no e-mail or address), and what this kind of event adds."""
    money = order.money
    summary: dict[str, Any] = {
        "status": order.status.value,
        "customer_id": order.customer_id,
        "currency": order.currency,
        "total_minor": order.total_minor,
        "lines": [
            {"sku": line.sku, "quantity": line.quantity, "cancelled_quantity": line.cancelled_quantity}
            for line in order.lines
        ],
        "authorized_minor": money.authorized_minor,
        "captured_minor": money.captured_minor,
        "refunded_minor": money.refunded_minor,
        "store_credit_minor": money.store_credit_minor,
        "detail": detail,
    }
    match kind:
        case OrderEventType.CANCELLATION_REJECTED:
            rejected = order.cancellation(detail.partition(":")[0])
            summary["cancellation"] = _answer(rejected)
        case OrderEventType.CANCELLED:
            summary["cancellation_reason"] = order.cancellation_reason.value if order.cancellation_reason else None
        case OrderEventType.REFUND_SETTLED:
            summary["refund_succeeded"] = entry == "REFUNDED"
        case OrderEventType.NEEDS_ATTENTION:
            summary["attention"] = order.attention.model_dump(mode="json") if order.attention else None
        case OrderEventType.CONFIRMED | OrderEventType.PARTIALLY_CANCELLED | OrderEventType.COMPLETED:
            pass
    return summary


def _answer(record: CancellationRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    told = {"request_id", "reason", "requested_by", "outcome", "reason_code", "suggestion", "message"}
    return record.model_dump(mode="json", include=told)
