"""Inventory: per-order reservations over on-hand stock that never goes negative."""

from typing import Protocol

from pydantic import BaseModel
from temporalio import activity

from activities.failures import BusinessFailure, final_on_business_failure


class OutOfStock(BusinessFailure):
    """Not enough units on hand for a reservation; nothing was reserved."""


class StockLine(BaseModel):
    sku: str
    quantity: int


class ReserveStock(BaseModel):
    order_id: str
    lines: list[StockLine]
    idempotency_key: str


class ReleaseStock(BaseModel):
    """Give reserved units up: back on hand, or set aside (quarantine) when not restocked.

    `lines` names the units of a partial cancellation; None means every unit still reserved.
    """

    order_id: str
    restock: bool
    idempotency_key: str
    lines: list[StockLine] | None = None


class RestockReturned(BaseModel):
    """Units that left with the carrier came back (a parcel returned to sender)."""

    order_id: str
    restock: bool
    idempotency_key: str


class ShipStock(BaseModel):
    """The reserved units left with the carrier."""

    order_id: str
    idempotency_key: str


class StockLevels(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    shipped: int
    quarantined: int

    @property
    def total(self) -> int:
        return self.on_hand + self.reserved + self.shipped + self.quarantined


class InventoryStore(Protocol):
    async def reserve(self, request: ReserveStock) -> None: ...

    async def release(self, request: ReleaseStock) -> None: ...

    async def ship(self, request: ShipStock) -> None: ...

    async def restock_returned(self, request: RestockReturned) -> None: ...


class InventoryActivities:
    """The inventory activities, over any InventoryStore."""

    def __init__(self, store: InventoryStore) -> None:
        self._store = store

    @activity.defn
    @final_on_business_failure
    async def reserve_stock(self, request: ReserveStock) -> None:
        """Reserve every line of the order, or nothing."""
        await self._store.reserve(request)

    @activity.defn
    @final_on_business_failure
    async def release_stock(self, request: ReleaseStock) -> None:
        """Give the order's reservation up."""
        await self._store.release(request)

    @activity.defn
    @final_on_business_failure
    async def ship_stock(self, request: ShipStock) -> None:
        """Move the order's reserved units to shipped."""
        await self._store.ship(request)

    @activity.defn
    @final_on_business_failure
    async def restock(self, request: RestockReturned) -> None:
        """Put the units of a returned parcel back on hand (or in quarantine)."""
        await self._store.restock_returned(request)
