"""The API's way to the orders: one OrdersClient, connected on first use, so the API may start before Temporal."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from runtime.settings import Settings
from starter.client import OrdersClient

Connect = Callable[[Settings], Awaitable[OrdersClient]]


class Connection:
    """Connects when first asked and again after a failed connect (TemporalUnreachable: the caller gets 503)."""

    def __init__(self, settings: Settings, connect: Connect = OrdersClient.connect) -> None:
        self._settings, self._connect = settings, connect
        self._client: OrdersClient | None = None
        self._lock = asyncio.Lock()

    async def orders(self) -> OrdersClient:
        async with self._lock:
            if self._client is None:
                self._client = await self._connect(self._settings)
            return self._client


async def _orders(request: Request) -> OrdersClient:
    connection: Connection = request.app.state.connection
    return await connection.orders()


Orders = Annotated[OrdersClient, Depends(_orders)]
