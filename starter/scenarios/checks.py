"""The end-state checks: the order view and every third party's ledger must tell the same story."""

from collections import Counter
from enum import StrEnum
from typing import Any

from domain.lifecycle import OrderStatus
from domain.lines import LineStatus
from domain.order import Order
from domain.requests import CancelReason
from starter.scenarios.kit import Failed, ScenarioOrder


class Goods(StrEnum):
    """Where the order's units must be in the end."""

    UNTOUCHED = "UNTOUCHED"  # never reserved: every unit still on hand
    RESTOCKED = "RESTOCKED"  # reserved, then given back: every unit on hand again
    SHIPPED = "SHIPPED"  # left with the carrier


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def expect_ended(order: Order, status: OrderStatus, reason: CancelReason | None = None) -> None:
    expect(order.status is status, f"status {order.status}, expected {status}")
    expect(order.cancellation_reason == reason, f"cancellation reason {order.cancellation_reason}, expected {reason}")


async def expect_money(
    run: ScenarioOrder,
    order: Order,
    *,
    authorized: int,
    captured: int,
    refunded: int,
    intent: str | None,
    store_credit: int = 0,
    refunds: int | None = None,
) -> None:
    """The same amounts in the order view, at the gateway and in the store-credit ledger.

    `refunded` is all money given back, `store_credit` the part of it given as store credit (the
    rest went back to the card); `intent` is the gateway's final status, if any; `refunds` is how
    many times money went back (default: once if any did).
    """
    seen = (order.authorized_minor, order.captured_minor, order.refunded_minor, order.store_credit_minor)
    wanted = (authorized, captured, refunded, store_credit)
    expect(seen == wanted, f"order view authorized/captured/refunded/store credit {seen}, expected {wanted}")
    expect(order.refund_pending_minor == 0, f"order view: {order.refund_pending_minor} still pending refund")
    expect(order.refunded_minor <= order.captured_minor <= order.authorized_minor, f"money out of order: {seen}")
    gateway = await run.payment()
    expected_statuses = [intent] if intent else []
    expect(gateway.statuses == expected_statuses, f"payment intents {gateway.statuses}, expected {expected_statuses}")
    at_gateway = (gateway.captured, gateway.refunded, gateway.held)
    to_card = refunded - store_credit
    wanted_there = (captured, to_card, 0)
    expect(at_gateway == wanted_there, f"gateway captured/refunded/held {at_gateway}, expected {wanted_there}")
    credited = await run.store_credit()
    expect(sum(credited) == store_credit, f"store credit ledger {credited}, expected {store_credit} in all")
    times = sum(1 for entry in order.timeline if entry.event == "REFUNDED")
    expected_times = (1 if refunded else 0) if refunds is None else refunds
    expect(times == expected_times, f"{times} refunds in the timeline, expected {expected_times}")


async def expect_goods(run: ScenarioOrder, goods: Goods) -> None:
    for sku, level in (await run.levels()).items():
        seeded, quantity = run.seeded[sku], run.quantities[sku]
        if goods is Goods.SHIPPED:
            wanted = (seeded - quantity, 0, quantity, 0)
        else:
            wanted = (seeded, 0, 0, 0)
        seen = (level.on_hand, level.reserved, level.shipped, level.quarantined)
        expect(seen == wanted, f"{sku} on_hand/reserved/shipped/quarantined {seen}, expected {wanted}")


async def expect_units(run: ScenarioOrder, shipped: dict[str, int]) -> None:
    """Per line letter, how many units left with the carrier; every other unit is back on hand, none reserved."""
    levels = await run.levels()
    for letter, sku in run.skus.items():
        level, gone = levels[sku], shipped.get(letter, 0)
        wanted = (run.seeded[sku] - gone, 0, gone, 0)
        seen = (level.on_hand, level.reserved, level.shipped, level.quarantined)
        expect(seen == wanted, f"{sku} on_hand/reserved/shipped/quarantined {seen}, expected {wanted}")


def expect_lines(run: ScenarioOrder, order: Order, cancelled: dict[str, int]) -> None:
    """Per line letter, how many units were cancelled; the line's status must say the same."""
    for letter, sku in run.skus.items():
        line = order.line(sku)
        expect(line is not None, f"order view has no line {sku}")
        assert line is not None
        quantity, gone = line.quantity, cancelled.get(letter, 0)
        status = LineStatus.PARTIALLY_CANCELLED if 0 < gone < quantity else LineStatus.CANCELLED if gone else LineStatus.OPEN
        seen = (line.cancelled_quantity, line.status)
        expect(seen == (gone, status), f"line {letter}: cancelled/status {seen}, expected {(gone, status)}")


def expect_message(messages: list[dict[str, Any]], kind: str, *, to: str | None = None, says: str | None = None) -> None:
    """The one message of `kind` went to `to` and its body says `says`."""
    found = [message for message in messages if message.get("kind") == kind]
    expect(len(found) == 1, f"{len(found)} {kind} messages, expected 1")
    if to is not None:
        expect(found[0].get("to") == to, f"{kind} went to {found[0].get('to')}, expected {to}")
    if says is not None:
        expect(says in str(found[0].get("body")), f"{kind} does not say {says!r}: {found[0].get('body')!r}")


async def expect_mail(run: ScenarioOrder, *kinds: str) -> list[dict[str, Any]]:
    """Exactly these messages, each once (the mailbox files one copy per Message-ID: count the kinds too)."""
    messages = await run.mail(at_least=len(kinds))
    seen = Counter(str(message.get("kind")) for message in messages)
    expect(seen == Counter(kinds), f"messages {dict(seen)}, expected {dict(Counter(kinds))}")
    return messages


async def expect_label(run: ScenarioOrder, order: Order, carrier_status: str | None) -> None:
    """The carrier's last word on the order's one shipment (None: no label was ever bought)."""
    shipments = await run.shipments()
    expected = [carrier_status] if carrier_status else []
    expect(shipments == expected, f"carrier shipments {shipments}, expected {expected}")
    if carrier_status == "VOIDED":
        expect(order.shipment is not None and order.shipment.label_voided, "order view: label not voided")
