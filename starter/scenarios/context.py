"""What the scenarios run against: the orders (over Temporal or the HTTP API), the inventory store and the
sandbox's HTTP API."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

import httpx

from activities.inventory_sql import SqlInventoryStore
from runtime.settings import Settings
from starter.api_client import ApiOrdersClient
from starter.client import OrdersClient
from starter.order_service import OrderService, Via


@dataclass
class Trace:
    """What one scenario did that its result row reports: its orders, and steps sent to Temporal off the API."""

    order_ids: list[str] = field(default_factory=list)
    temporal_steps: list[str] = field(default_factory=list)


# The suite's runner hands each scenario a Trace, for its result row.
_trace: ContextVar[Trace | None] = ContextVar("trace", default=None)


def track() -> Trace:
    """From now on, in this task and those it starts, ScenarioOrders and Temporal-only steps are noted in the Trace."""
    trace = Trace()
    _trace.set(trace)
    return trace


def track_orders() -> list[str]:
    """From now on, in this task and those it starts, ScenarioOrders are listed in the returned list."""
    return track().order_ids


@dataclass
class Context:
    orders: OrderService
    inventory: SqlInventoryStore
    sandbox: httpx.AsyncClient
    timeout: timedelta = timedelta(seconds=60)
    # Temporal itself, when `orders` reach it another way (the API): for the steps only Temporal offers.
    temporal: OrdersClient | None = None

    def placed(self, order_id: str) -> None:
        """Name an order in the running scenario's result row."""
        if (trace := _trace.get()) is not None:
            trace.order_ids.append(order_id)

    def temporal_only(self, step: str) -> OrdersClient:
        """Temporal, for a step no other way offers (a signal, a cancel request). When the orders go over the
        API, the step is named in the scenario's result row: that step alone did not go through the API."""
        if self.temporal is None:
            assert isinstance(self.orders, OrdersClient), "a Context off Temporal needs `temporal`"
            return self.orders
        if (trace := _trace.get()) is not None:
            trace.temporal_steps.append(step)
        return self.temporal


@asynccontextmanager
async def context(settings: Settings, via: Via = Via.TEMPORAL) -> AsyncIterator[Context]:
    temporal = await OrdersClient.connect(settings)
    inventory = SqlInventoryStore(settings.inventory_db_url)
    await inventory.create_schema()
    try:
        async with AsyncExitStack() as stack:
            sandbox = await stack.enter_async_context(httpx.AsyncClient(base_url=settings.sandbox_url, timeout=10))
            if via is Via.API:
                api = await stack.enter_async_context(ApiOrdersClient.opened(settings))
                yield Context(api, inventory, sandbox, temporal=temporal)
            else:
                yield Context(temporal, inventory, sandbox)
    finally:
        await inventory.close()
