"""Orders that nobody cancels: delivered and completed, or ended by the payment or the stock."""

from domain.lifecycle import OrderStatus
from domain.requests import CancelReason
from domain.shipment import ShipmentEventType
from starter.scenarios.checks import Goods, expect_ended, expect_goods, expect_label, expect_mail, expect_money
from starter.scenarios.context import Context
from starter.scenarios.endings import expect_completed, expect_voided
from starter.scenarios.kit import DECLINED_CARD, LONG_WINDOW, SHORT_WINDOW, ScenarioOrder


async def happy_path(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "happy_path", window=SHORT_WINDOW)
    await run.place()

    order = await run.hand_to_carrier()
    await run.scan(ShipmentEventType.IN_TRANSIT, order)
    await run.scan(ShipmentEventType.DELIVERED, order)
    order = await run.until_status(OrderStatus.COMPLETED)

    await expect_completed(run, order, "CONFIRMATION")
    return f"COMPLETED, {run.total} captured"


async def declined_card(ctx: Context) -> str:
    run = ScenarioOrder(ctx, "declined_card", window=LONG_WINDOW, card=DECLINED_CARD)
    await run.place()

    order = await run.until_status(OrderStatus.CANCELLED)

    expect_ended(order, OrderStatus.CANCELLED, CancelReason.DECLINED)
    await expect_money(run, order, authorized=0, captured=0, refunded=0, intent="requires_payment_method")
    await expect_goods(run, Goods.UNTOUCHED)
    await expect_label(run, order, None)
    await expect_mail(run, "CANCELLATION")
    return "CANCELLED (DECLINED), nothing held"


async def out_of_stock(ctx: Context) -> str:
    # Line A could be reserved, line B cannot: all or nothing, so A must stay on hand.
    run = ScenarioOrder(ctx, "out_of_stock", window=LONG_WINDOW, stock={"B": 0})
    await run.place()

    order = await run.until_status(OrderStatus.CANCELLED)

    await expect_voided(run, order, "CANCELLATION", reason=CancelReason.INVENTORY, goods=Goods.UNTOUCHED)
    return "CANCELLED (INVENTORY), hold voided"
