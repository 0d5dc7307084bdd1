"""Inventory in SQL: stock buckets per sku, reservations per order, and a ledger of applied operations."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from activities.failures import BusinessFailure
from activities.inventory import OutOfStock, ReleaseStock, ReserveStock, RestockReturned, ShipStock, StockLevels
from activities.inventory_moves import ReservationRefused, hold, move, quantities
from activities.inventory_schema import (
    PLACES,
    ReservedUnits,
    make_engine,
    metadata,
    movements,
    reservations,
    stock,
    upgrade_reservations,
)

__all__ = ["ReservationRefused", "SqlInventoryStore"]

log = structlog.get_logger(__name__)


class SqlInventoryStore:
    """The InventoryStore over SQL tables (SQLite by default, PostgreSQL alike).

    Each operation is one transaction that first records its idempotency key in
    `stock_movements`; a key already there means the operation was applied, so it is a no-op.
    A reservation row says where each unit the order reserved of a sku is now (`PLACES`); units
    move between its places and, in step, between the sku's stock buckets, by conditional updates
    that cannot take more than is there, so no unit is given back twice, no bucket goes below
    zero, and on_hand + reserved + shipped + quarantined changes only by `set_stock`.
    """

    def __init__(self, url: str) -> None:
        self._engine = make_engine(url)

    async def create_schema(self) -> None:
        async with self._engine.begin() as conn:
            converted = await conn.run_sync(upgrade_reservations)
            await conn.run_sync(metadata.create_all)
        if converted is not None:
            log.warning("inventory.schema_upgraded", table="reservations", rows=converted, to="units per place")

    async def close(self) -> None:
        await self._engine.dispose()

    async def reserve(self, request: ReserveStock) -> None:
        wanted = quantities(request.lines)

        async def apply(conn: AsyncConnection) -> None:
            # One lock order (by sku) for every worker, so PostgreSQL cannot deadlock two orders.
            for sku, quantity in sorted(wanted.items()):
                taken = await conn.execute(
                    update(stock)
                    .where(stock.c.sku == sku, stock.c.on_hand >= quantity)
                    .values(on_hand=stock.c.on_hand - quantity, reserved=stock.c.reserved + quantity)
                )
                if taken.rowcount != 1:
                    available = await conn.scalar(select(stock.c.on_hand).where(stock.c.sku == sku))
                    raise OutOfStock(f"{sku}: {quantity} requested, {available or 0} available", code=sku)
                await hold(conn, request.order_id, sku, quantity)

        await self._once(request.idempotency_key, request.order_id, "RESERVE", apply, lines=wanted)

    async def release(self, request: ReleaseStock) -> None:
        target = "released" if request.restock else "quarantined"
        wanted = None if request.lines is None else quantities(request.lines)

        async def apply(conn: AsyncConnection) -> None:
            await move(conn, request.order_id, "reserved", target, wanted)

        await self._once(request.idempotency_key, request.order_id, "RELEASE", apply, to=target, lines=wanted)

    async def ship(self, request: ShipStock) -> None:
        async def apply(conn: AsyncConnection) -> None:
            await move(conn, request.order_id, "reserved", "shipped", None)

        await self._once(request.idempotency_key, request.order_id, "SHIP", apply)

    async def restock_returned(self, request: RestockReturned) -> None:
        target = "returned" if request.restock else "quarantined"

        async def apply(conn: AsyncConnection) -> None:
            await move(conn, request.order_id, "shipped", target, None)

        await self._once(request.idempotency_key, request.order_id, "RETURN", apply, to=target)

    async def set_stock(self, sku: str, on_hand: int) -> None:
        """Admin: set the units on hand; a new sku starts with every other bucket at zero."""
        async with self._engine.begin() as conn:
            changed = await conn.execute(update(stock).where(stock.c.sku == sku).values(on_hand=on_hand))
            if changed.rowcount == 0:
                await conn.execute(insert(stock).values(sku=sku, on_hand=on_hand, reserved=0, shipped=0, quarantined=0))

    async def levels(self, sku: str) -> StockLevels:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(stock).where(stock.c.sku == sku))).mappings().first()
        return StockLevels(**row) if row else StockLevels(sku=sku, on_hand=0, reserved=0, shipped=0, quarantined=0)

    async def reservation(self, order_id: str) -> dict[str, ReservedUnits]:
        """Where the units the order reserved are now, per sku."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(reservations).where(reservations.c.order_id == order_id))
            return {row["sku"]: ReservedUnits(**{p: row[p] for p in PLACES}) for row in rows.mappings()}

    async def _once(
        self, key: str, order_id: str, kind: str, apply: Callable[[AsyncConnection], Awaitable[None]], **details: Any
    ) -> None:
        bound = log.bind(order_id=order_id, kind=kind, idempotency_key=key)
        try:
            async with self._engine.begin() as conn:
                now = datetime.now(UTC)
                await conn.execute(insert(movements).values(idempotency_key=key, order_id=order_id, kind=kind, at=now))
                await apply(conn)
        except BusinessFailure as refused:
            bound.warning("inventory.refused", reason=str(refused), **details)
            raise
        except IntegrityError:
            # The key is taken when this operation already ran (or a concurrent worker just ran it).
            async with self._engine.connect() as conn:
                if await conn.scalar(select(movements.c.kind).where(movements.c.idempotency_key == key)) is None:
                    raise
            bound.info("inventory.already_applied")
            return
        bound.info("inventory.applied", **details)
