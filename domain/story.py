"""What the Temporal Web UI says of an order without running a query: its summary, its current
details, and a line for every activity and timer, so the Timeline tab reads as the order's life.

No personal data: the customer's id, never their e-mail or address (those stay in the encrypted input).
"""

from typing import Any

from domain.currency import money
from domain.order import Order
from domain.placement import PlaceOrder

_STEPS = {
    "authorize_payment": "authorize",
    "capture_payment": "capture",
    "void_authorization": "void the card hold",
    "refund_payment": "refund to the card",
    "follow_refund": "follow the refund",
    "issue_store_credit": "store credit",
    "reserve_stock": "reserve stock",
    "release_stock": "release stock",
    "restock": "restock the returned units",
    "ship_stock": "book the units out",
    "create_shipment": "buy the label",
    "void_label": "void the label",
    "request_intercept": "ask the carrier to intercept",
    "hold_pickup": "hold the parcel back",
    "release_pickup": "release the parcel",
    "send_message": "mail",
}


def summary(command: PlaceOrder) -> str:
    units = sum(line.quantity for line in command.lines)
    return (
        f"order {command.order_id} · customer {command.customer_id} · {len(command.lines)} line(s), {units} unit(s)"
        f" · {money(command.total_minor, command.currency)}"
    )


def details(command: PlaceOrder) -> str:
    lines = "\n".join(
        f"- {line.quantity} × {line.sku} at {money(line.unit_price_minor, command.currency)}" for line in command.lines
    )
    return f"{lines}\n- shipping {money(command.shipping_fee_minor, command.currency)}"


def current(order: Order) -> str:
    """The order as it stands: status, money, what is pending, what needs a person."""
    parts = [
        f"**{order.status.value}**",
        f"held {order.told(order.authorized_minor if order.holds_authorization else 0)}",
        f"captured {order.told(order.captured_minor)}",
        f"refunded {order.told(order.refunded_minor)}",
    ]
    if order.refund_pending_minor:
        parts.append(f"refund pending {order.told(order.refund_pending_minor)}")
    pending = order.open_request
    if pending is not None:
        parts.append(f"pending: {pending.request_id} {pending.outcome.value}")
    if order.attention is not None:
        parts.append(f"needs a person: {order.attention.problem}")
    return " · ".join(parts)


def activity(name: str, argument: Any, currency: str) -> str:
    """`capture 37.49 EUR`, `mail: CONFIRMATION`, `buy the label`."""
    told = _STEPS.get(name, name.replace("_", " "))
    amount = getattr(argument, "amount_minor", None)
    if isinstance(amount, int):
        return f"{told} {money(amount, currency)}"
    kind = getattr(argument, "kind", None)
    return f"{told}: {kind}" if kind is not None else told
