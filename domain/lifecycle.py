"""Where an order stands in its life, what it holds of the goods, and what a person must do about it."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from domain.requests import ResolutionAction


class OrderStatus(StrEnum):
    """Where the order stands. NEEDS_ATTENTION names what a person must do (see Order.attention)."""

    PLACED = "PLACED"
    PAYMENT_AUTHORIZED = "PAYMENT_AUTHORIZED"
    CONFIRMED = "CONFIRMED"
    FULFILLING = "FULFILLING"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"
    NEEDS_ATTENTION = "NEEDS_ATTENTION"


TERMINAL = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED})

# The lifecycle's moves. Whether a cancellation may move an order to CANCELLING is decided by
# domain.cancellation; this table only keeps the recorded history coherent.
MOVES: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.PAYMENT_AUTHORIZED, OrderStatus.CANCELLING}),
    OrderStatus.PAYMENT_AUTHORIZED: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLING}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.FULFILLING, OrderStatus.CANCELLING}),
    OrderStatus.FULFILLING: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLING}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLING}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.CANCELLING: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.NEEDS_ATTENTION: frozenset(),  # left only by Order.record_resolved
}


class StockState(StrEnum):
    NONE = "NONE"
    UNCONFIRMED = "UNCONFIRMED"  # a reservation was asked for and its answer lost: units may be held
    RESERVED = "RESERVED"
    SHIPPED = "SHIPPED"
    RELEASED = "RELEASED"
    QUARANTINED = "QUARANTINED"
    RETURNED = "RETURNED"


class TimelineEntry(BaseModel):
    at: datetime
    event: str
    detail: str = ""
    times: int = 1  # the same note again and again (a flood of stray scans) is one entry, counted


class Problem(BaseModel):
    """What a person must do (the order's `attention`): the problem, where it happened and the ways out."""

    problem: str
    step: str
    request_id: str | None = None
    actions: list[ResolutionAction]
    resume_status: OrderStatus
    since: datetime
