"""What the scenarios run against: the orders client, the inventory store and the sandbox's HTTP API."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

import httpx

from activities.inventory_sql import SqlInventoryStore
from runtime.settings import Settings
from starter.client import OrdersClient

# The suite's runner hands each scenario a list to name its orders in, for its result row.
_placed: ContextVar[list[str] | None] = ContextVar("placed", default=None)


def track_orders() -> list[str]:
    """From now on, in this task and those it starts, ScenarioOrders are listed in the returned list."""
    placed: list[str] = []
    _placed.set(placed)
    return placed


@dataclass
class Context:
    orders: OrdersClient
    inventory: SqlInventoryStore
    sandbox: httpx.AsyncClient
    timeout: timedelta = timedelta(seconds=60)

    def placed(self, order_id: str) -> None:
        """Name an order in the running scenario's result row."""
        if (placed := _placed.get()) is not None:
            placed.append(order_id)


@asynccontextmanager
async def context(settings: Settings) -> AsyncIterator[Context]:
    orders = await OrdersClient.connect(settings)
    inventory = SqlInventoryStore(settings.inventory_db_url)
    await inventory.create_schema()
    try:
        async with httpx.AsyncClient(base_url=settings.sandbox_url, timeout=10) as sandbox:
            yield Context(orders, inventory, sandbox)
    finally:
        await inventory.close()
