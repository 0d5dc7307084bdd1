"""What the customer (and customer service) is told, and the key that makes each message go out once."""

from enum import StrEnum

from pydantic import BaseModel

from domain.order import Order
from domain.placement import idempotency_key
from domain.requests import CancellationOutcome, CancellationRequest, CancelReason

Selection = dict[str, int]


class MessageKind(StrEnum):
    CONFIRMATION = "CONFIRMATION"
    CANCELLATION = "CANCELLATION"
    PARTIAL_CANCELLATION = "PARTIAL_CANCELLATION"
    RECALL_REQUESTED = "RECALL_REQUESTED"
    REJECTION = "REJECTION"
    CHARGE_CORRECTION = "CHARGE_CORRECTION"
    ESCALATION = "ESCALATION"


# Each kind's part of the message's idempotency key, spelled out so that renaming a kind never
# mails a customer twice (see domain/keys.py).
_KEY_NAMES = {
    MessageKind.CONFIRMATION: "confirmation",
    MessageKind.CANCELLATION: "cancellation",
    MessageKind.PARTIAL_CANCELLATION: "partial_cancellation",
    MessageKind.RECALL_REQUESTED: "recall_requested",
    MessageKind.REJECTION: "rejection",
    MessageKind.CHARGE_CORRECTION: "charge_correction",
    MessageKind.ESCALATION: "escalation",
}


class CustomerMessage(BaseModel):
    """One message; `key` is its idempotency key (one per order, kind and request)."""

    key: str
    kind: MessageKind
    order_id: str
    to: str
    subject: str
    body: str


_WHY = {
    CancelReason.DECLINED: "your payment was declined",
    CancelReason.INVENTORY: "some items are out of stock",
    CancelReason.FRAUD: "it could not be verified",
    CancelReason.CUSTOMER: "you asked us to",
    CancelReason.STAFF: "our staff cancelled it",
    CancelReason.OTHER: "it could not be fulfilled",
}


def _to_customer(order: Order, kind: MessageKind, subject: str, body: str, request_id: str | None) -> CustomerMessage:
    return CustomerMessage(
        key=idempotency_key(order.order_id, _KEY_NAMES[kind], request_id),
        kind=kind,
        order_id=order.order_id,
        to=order.customer_email,
        subject=subject,
        body=body,
    )


def confirmation(order: Order) -> CustomerMessage:
    items = "\n".join(f"- {line.quantity} x {line.sku}" for line in order.lines)
    body = f"Thank you for your order.\n{items}\nTotal: {order.told(order.total_minor)}."
    return _to_customer(order, MessageKind.CONFIRMATION, f"Order {order.order_id} confirmed", body, None)


def _money_back(order: Order, to_card: int, to_credit: int) -> str:
    parts = []
    if to_card:
        parts.append(f"refunded {order.told(to_card)} to your original payment method")
    if to_credit:
        parts.append(f"added {order.told(to_credit)} to your store credit")
    return "We " + " and ".join(parts) + "." if parts else ""


def cancellation(order: Order, request: CancellationRequest) -> CustomerMessage:
    """Sent once the compensations are done, so it states facts, not intentions."""
    back = _money_back(order, order.refunded_minor - order.store_credit_minor, order.store_credit_minor)
    if not back:
        voided = order.authorization_voided
        back = "The hold on your card has been released; you were not charged." if voided else "You were not charged."
    body = f"Your order {order.order_id} was cancelled because {_WHY[request.reason]}. {back}"
    return _to_customer(order, MessageKind.CANCELLATION, f"Order {order.order_id} cancelled", body, request.request_id)


def partial_cancellation(
    order: Order, request: CancellationRequest, selection: Selection, to_card_minor: int, to_credit_minor: int
) -> CustomerMessage:
    """Sent once the lines' compensations are done, with where their money actually went: a refund
    the card refused may have been given as store credit by a person instead."""
    items = ", ".join(f"{quantity} x {sku}" for sku, quantity in selection.items())
    back = _money_back(order, to_card_minor, to_credit_minor)
    body = (
        f"We cancelled {items} from your order {order.order_id}; the rest of the order goes ahead. "
        f"{back or 'You will not be charged for them.'}"
    )
    return _to_customer(
        order, MessageKind.PARTIAL_CANCELLATION, f"Order {order.order_id} changed", body, request.request_id
    )


def charge_correction(order: Order, to_card_minor: int, to_credit_minor: int) -> CustomerMessage:
    """After items cancelled before payment were charged anyway (the charge's first answer was lost)."""
    back = _money_back(order, to_card_minor, to_credit_minor)
    body = f"A fault at our payment provider charged you for items you had cancelled from order {order.order_id}. {back}"
    return _to_customer(order, MessageKind.CHARGE_CORRECTION, f"Order {order.order_id}: charge corrected", body, None)


def recall_requested(order: Order, outcome: CancellationOutcome) -> CustomerMessage:
    return _to_customer(
        order, MessageKind.RECALL_REQUESTED, f"Order {order.order_id}: recall requested", outcome.message, outcome.request_id
    )


def rejection(order: Order, outcome: CancellationOutcome) -> CustomerMessage:
    return _to_customer(
        order, MessageKind.REJECTION, f"Order {order.order_id} could not be cancelled", outcome.message, outcome.request_id
    )


def escalation(order: Order, to: str, problem: str, topic: str) -> CustomerMessage:
    """To customer service, not the customer: a review is overdue or the order needs a person."""
    return CustomerMessage(
        key=idempotency_key(order.order_id, _KEY_NAMES[MessageKind.ESCALATION], topic),
        kind=MessageKind.ESCALATION,
        order_id=order.order_id,
        to=to,
        subject=f"Order {order.order_id} needs attention",
        body=f"{problem}\nOpen it in the Temporal Web UI: workflow id order-{order.order_id}.",
    )
