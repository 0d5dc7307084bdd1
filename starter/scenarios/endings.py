"""The ways most scenario orders end, each checked everywhere at once: the order view, the money at the
gateway and in store credit, the stock, the carrier's label and the mailbox. Every check returns the
order's messages, for a scenario to look into what they say."""

from typing import Any

from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.requests import CancelReason
from starter.scenarios.checks import Goods, expect, expect_ended, expect_goods, expect_label, expect_mail, expect_money
from starter.scenarios.kit import ScenarioOrder


async def expect_completed(run: ScenarioOrder, order: Order, *mail: str) -> list[dict[str, Any]]:
    """Delivered and kept: all of it captured, nothing given back, every unit gone with the carrier."""
    expect_ended(order, OrderStatus.COMPLETED)
    await expect_money(run, order, authorized=run.total, captured=run.total, refunded=0, intent="succeeded")
    await expect_goods(run, Goods.SHIPPED)
    await expect_label(run, order, "DELIVERED")
    return await expect_mail(run, *mail)


async def expect_voided(
    run: ScenarioOrder, order: Order, *mail: str, reason: CancelReason, goods: Goods = Goods.RESTOCKED
) -> list[dict[str, Any]]:
    """Cancelled before the capture: the hold voided, nothing taken, no label ever bought."""
    expect_ended(order, OrderStatus.CANCELLED, reason)
    expect(order.authorization_voided, "authorization not voided")
    await expect_money(run, order, authorized=run.total, captured=0, refunded=0, intent="canceled")
    await expect_goods(run, goods)
    await expect_label(run, order, None)
    return await expect_mail(run, *mail)


async def expect_refunded(
    run: ScenarioOrder,
    order: Order,
    *mail: str,
    reason: CancelReason,
    label: str = "VOIDED",
    store_credit: int = 0,
    refunds: int | None = None,
) -> list[dict[str, Any]]:
    """Cancelled after the capture: all of it given back (`store_credit` of it as store credit, in `refunds`
    refunds, by default one) and every unit on hand again. A label bought before the cancellation is no longer
    live and ends as `label` at the carrier; whether one was bought depends on the race with fulfilment."""
    expect_ended(order, OrderStatus.CANCELLED, reason)
    expect(not order.has_live_label, "a live label is left")
    await expect_money(
        run,
        order,
        authorized=run.total,
        captured=run.total,
        refunded=run.total,
        intent="succeeded",
        store_credit=store_credit,
        refunds=refunds,
    )
    await expect_goods(run, Goods.RESTOCKED)
    await expect_label(run, order, label if order.shipment else None)
    return await expect_mail(run, *mail)
