"""Faults on demand in front of any InventoryStore: lost connections and lock timeouts, as a database gives them."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from activities.inventory import InventoryStore, ReleaseStock, ReserveStock, RestockReturned, ShipStock
from runtime.fault_injector import FaultInjector, Outcome

log = structlog.get_logger(__name__)

Request = TypeVar("Request", ReserveStock, ReleaseStock, ShipStock, RestockReturned)


class InventoryConnectionLost(ConnectionError):
    """The connection to the inventory database dropped (fault injected): before or after the commit."""


class InventoryLockTimeout(TimeoutError):
    """The inventory database gave up waiting for a lock (fault injected); nothing was done."""


class FaultyInventoryStore:
    """The InventoryStore `store`, with the faults drawn for `inventory`: `error` fails before the
    operation (half of the draws a lock timeout, half a lost connection), `lost` lets it commit and then
    drops the connection, so the activity retries an operation already applied (its idempotency key
    makes the repeat a no-op). Both are plain exceptions: the activity's retry policy handles them."""

    def __init__(self, store: InventoryStore, faults: FaultInjector) -> None:
        self._store, self._faults = store, faults

    async def reserve(self, request: ReserveStock) -> None:
        await self._faulted(self._store.reserve, request)

    async def release(self, request: ReleaseStock) -> None:
        await self._faulted(self._store.release, request)

    async def ship(self, request: ShipStock) -> None:
        await self._faulted(self._store.ship, request)

    async def restock_returned(self, request: RestockReturned) -> None:
        await self._faulted(self._store.restock_returned, request)

    async def _faulted(self, operation: Callable[[Request], Awaitable[None]], request: Request) -> None:
        draw = self._faults.draw("inventory")
        if draw.delay_seconds:
            await asyncio.sleep(draw.delay_seconds)
        bound = log.bind(order_id=request.order_id, idempotency_key=request.idempotency_key, endpoint="inventory")
        if draw.outcome is Outcome.ERROR:
            bound.info("fault.injected", fault=draw.outcome.value)
            if draw.roll < draw.fault.error / 2:
                raise InventoryLockTimeout("lock wait timeout exceeded (fault injected); nothing was done")
            raise InventoryConnectionLost("connection to the inventory database lost before the commit (fault injected)")
        await operation(request)
        if draw.outcome is Outcome.LOST:
            bound.info("fault.injected", fault=draw.outcome.value)
            raise InventoryConnectionLost("connection to the inventory database lost after the commit (fault injected)")
