"""What a load's orders are driven through: the scenarios' Context, with clients that outlast failures."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from activities.inventory_sql import SqlInventoryStore
from runtime.settings import Settings
from starter.client import OrdersClient
from starter.load.patience import PatientOrdersClient, PatientTransport
from starter.scenarios.context import Context


@asynccontextmanager
async def load_context(settings: Settings, patience: timedelta) -> AsyncIterator[tuple[Context, PatientOrdersClient]]:
    """The scenarios' Context over patient clients, each wait bounded by `patience`; and its orders client."""
    orders = PatientOrdersClient(await OrdersClient.connect(settings), patience)
    inventory = SqlInventoryStore(settings.inventory_db_url)
    await inventory.create_schema()
    transport = PatientTransport(patience)
    try:
        async with httpx.AsyncClient(base_url=settings.sandbox_url, timeout=10, transport=transport) as sandbox:
            yield Context(orders, inventory, sandbox, timeout=patience), orders
    finally:
        await inventory.close()
