"""What the business counts about one order, read from its recorded facts (pure, no I/O).

The workflow's metrics (workflows/metrics.py) take a `Reading` each time the order changed and
count what is new since the reading before: answers to cancellation requests, money given back,
how long a cancellation took to undo. Everything here is derived from the order itself, so a
reading taken again after a replay or a continue-as-new is the same reading.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.requests import CancelReason, Verdict

# The statuses of the forward story: the stage a cancellation is said to happen at.
FORWARD = (
    OrderStatus.PLACED,
    OrderStatus.PAYMENT_AUTHORIZED,
    OrderStatus.CONFIRMED,
    OrderStatus.FULFILLING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


class Destination(StrEnum):
    """Where money given back went."""

    CARD = "card"
    STORE_CREDIT = "store_credit"


@dataclass(frozen=True)
class Answer:
    """A cancellation request's final answer (ACCEPTED or REJECTED), and the stage the order had reached."""

    request_id: str
    reason: CancelReason
    outcome: Verdict
    stage: OrderStatus


@dataclass(frozen=True)
class Reading:
    """What has happened to one order so far, in the terms the business counts."""

    answers: frozenset[Answer]
    money_back_minor: dict[Destination, int]
    compensation_time: timedelta | None

    @classmethod
    def nothing(cls) -> "Reading":
        """Before the order was placed: nothing to count yet."""
        return cls(frozenset(), {destination: 0 for destination in Destination}, None)

    @classmethod
    def of(cls, order: Order) -> "Reading":
        stage = stage_reached(order)
        answers = frozenset(
            Answer(record.request_id, record.reason, record.outcome, stage)
            for record in order.cancellations
            if record.outcome in (Verdict.ACCEPTED, Verdict.REJECTED)
        )
        money = order.money
        # Store credit counts in refunded_minor too (domain.payment): the card had the rest.
        back = {
            Destination.CARD: money.refunded_minor - money.store_credit_minor,
            Destination.STORE_CREDIT: money.store_credit_minor,
        }
        return cls(answers, back, compensation_time(order))

    def new_answers(self, before: "Reading") -> list[Answer]:
        """Answers given since `before`, each once (the stage is the one it was first seen at)."""
        known = {answer.request_id for answer in before.answers}
        return sorted((a for a in self.answers if a.request_id not in known), key=lambda a: a.request_id)

    def money_back_since(self, before: "Reading") -> dict[Destination, int]:
        """Minor units given back since `before`, by destination; only destinations that moved."""
        moved = {d: self.money_back_minor[d] - before.money_back_minor[d] for d in Destination}
        return {destination: amount for destination, amount in moved.items() if amount > 0}


def stage_reached(order: Order) -> OrderStatus:
    """The last forward status the order reached (looking through CANCELLING and NEEDS_ATTENTION)."""
    for entry in reversed(order.timeline):
        if entry.event in FORWARD:
            return OrderStatus(entry.event)
    return OrderStatus.PLACED


def compensation_time(order: Order) -> timedelta | None:
    """For a cancelled order, the time from first accepting its cancellation to everything undone."""
    if order.status is not OrderStatus.CANCELLED:
        return None
    cancelling = [entry.at for entry in order.timeline if entry.event == OrderStatus.CANCELLING]
    cancelled = [entry.at for entry in order.timeline if entry.event == OrderStatus.CANCELLED]
    return cancelled[-1] - cancelling[0] if cancelling and cancelled else None
