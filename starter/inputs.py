"""Command-line input turned into the domain's commands, with one-line errors a person can act on."""

import json
import uuid
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from domain.placement import Address, NewOrder, OrderLine, PlaceOrder
from domain.policy import Policy
from domain.requests import CancellationRequest, CancelReason, LineSelection, RefundDestination, RequestedBy
from starter.errors import CliError

E = TypeVar("E", bound=StrEnum)

DEMO_ADDRESS = Address(name="Ada Lovelace", line1="12 St James's Square", city="London", postal_code="SW1Y 4JH", country="GB")


def new_order_id() -> str:
    return uuid.uuid4().hex[:12]


def require_order_id(order_id: str) -> None:
    """An empty ORDER_ID (an unset shell variable) is refused before anything is sent, not looked up as ''."""
    if not order_id.strip():
        raise CliError("order id must not be empty: pass the id `orders place` printed")


def choice(kind: type[E], value: str, what: str) -> E:
    """Case-insensitive enum lookup; an unknown value lists the valid ones."""
    for member in kind:
        if value.strip().lower() in (member.value.lower(), member.name.lower()):
            return member
    valid = ", ".join(member.value for member in kind)
    raise CliError(f"unknown {what} {value!r}: use one of {valid}")


def validation_message(what: str, error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "input"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"invalid {what}: {where}: {first['msg']}{more}"


def parse_line(text: str) -> OrderLine:
    """SKU:QTY:PRICE, the price in minor units (cents)."""
    parts = text.split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        raise CliError(f"invalid --sku {text!r}: expected SKU:QTY:PRICE, e.g. MUG-BLUE:2:1250 (price in cents)")
    try:
        return OrderLine(sku=parts[0], quantity=int(parts[1]), unit_price_minor=int(parts[2]))
    except ValidationError as error:
        raise CliError(validation_message(f"--sku {text!r}", error)) from None


# A bound a person can read, far inside what timedelta and Temporal's timers can hold.
LONGEST_WINDOW = timedelta(days=365)


def window_of(seconds: float) -> timedelta:
    """--window in seconds; NaN, infinities and negatives are refused rather than crashing or closing at once."""
    if not 0 <= seconds <= LONGEST_WINDOW.total_seconds():
        longest = LONGEST_WINDOW.total_seconds()
        raise CliError(f"invalid --window {seconds}: a number of seconds from 0 to {longest:.0f} (a year)")
    return timedelta(seconds=seconds)


def order_from_flags(
    *, customer: str, skus: list[str], card: str, currency: str, fee: int, window: float | None
) -> PlaceOrder:
    if not skus:
        raise CliError("an order needs at least one --sku SKU:QTY:PRICE (or use --file order.json)")
    policy = Policy() if window is None else Policy(free_cancellation_window=window_of(window))
    try:
        return NewOrder(
            order_id=new_order_id(),
            customer_id=customer,
            customer_email=f"{customer}@example.com",
            lines=[parse_line(sku) for sku in skus],
            shipping_address=DEMO_ADDRESS,
            shipping_fee_minor=fee,
            currency=currency.upper(),
            payment_method=card,
            policy=policy,
        )
    except ValidationError as error:
        raise CliError(validation_message("order", error)) from None


def order_from_file(path: Path) -> PlaceOrder:
    """A PlaceOrder as JSON; order_id may be left out and is then generated."""
    try:
        data = json.loads(path.read_text())
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise CliError(f"{path} is not valid JSON: {error.msg} (line {error.lineno} column {error.colno})") from None
    if not isinstance(data, dict):
        raise CliError(f"{path} must hold a JSON object (an order), not {type(data).__name__}")
    data.setdefault("order_id", new_order_id())
    try:
        return NewOrder.model_validate(data)
    except ValidationError as error:
        raise CliError(validation_message(f"order in {path}", error)) from None


def parse_selection(text: str) -> LineSelection:
    """SKU:QTY, some units of one line for a partial cancellation."""
    sku, _, quantity = text.rpartition(":")
    if not sku or not quantity.isdigit() or int(quantity) == 0:
        raise CliError(f"invalid --line {text!r}: expected SKU:QTY with QTY at least 1, e.g. MUG-BLUE:1")
    return LineSelection(sku=sku, quantity=int(quantity))


def cancellation(
    *,
    reason: str,
    by: str,
    restock: bool,
    notify: bool,
    note: str | None,
    request_id: str | None,
    lines: list[str] | None = None,
    refund_to: str = "original",
) -> CancellationRequest:
    """A cancellation request from the flags; `lines` empty or None means the whole order."""
    try:
        return CancellationRequest(
            # An empty --request-id (an unset shell variable) is refused, not swapped for a fresh id:
            # a retried partial cancellation would otherwise cancel its units twice.
            request_id=f"cli-{uuid.uuid4().hex[:12]}" if request_id is None else request_id,
            reason=choice(CancelReason, reason, "reason"),
            requested_by=choice(RequestedBy, by, "requester (--by)"),
            lines=tuple(parse_selection(line) for line in lines) if lines else None,
            refund_to=choice(RefundDestination, refund_to.replace("-", "_"), "refund destination (--refund-to)"),
            restock=restock,
            notify_customer=notify,
            note=note,
        )
    except ValidationError as error:
        raise CliError(validation_message("cancellation", error)) from None
