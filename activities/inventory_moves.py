"""The statements that move one order's units: between the places of its reservation rows and, in
step, between the stock buckets of each sku. Each runs inside the caller's transaction."""

from collections import Counter

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from activities.failures import BusinessFailure
from activities.inventory import StockLine
from activities.inventory_schema import BUCKET_OF, PLACES, reservations, stock


class ReservationRefused(BusinessFailure):
    """Units that cannot be reserved or released as asked: a non-positive quantity, more units of a
    sku than the order still holds (or a sku it never reserved), or more units of a sku the order
    already released, shipped or set aside (place a new order instead)."""


def quantities(lines: list[StockLine]) -> dict[str, int]:
    """Units per sku; a sku named on several lines counts once with their sum."""
    wanted: Counter[str] = Counter()
    for line in lines:
        if line.quantity <= 0:
            raise ReservationRefused(f"{line.sku}: quantity must be positive, got {line.quantity}", code=line.sku)
        wanted[line.sku] += line.quantity
    return dict(wanted)


async def hold(conn: AsyncConnection, order_id: str, sku: str, quantity: int) -> None:
    """Add units just taken from on hand to the order's reservation of the sku."""
    key = (reservations.c.order_id == order_id, reservations.c.sku == sku)
    # Only a reservation no unit has left yet may grow: a release or a shipment was decided
    # on the units held then, and must not silently cover units added afterwards.
    untouched = [reservations.c[p] == 0 for p in PLACES if p != "reserved"]
    grown = await conn.execute(
        update(reservations).where(*key, *untouched).values(reserved=reservations.c.reserved + quantity)
    )
    if grown.rowcount == 1:
        return
    if await conn.scalar(select(reservations.c.sku).where(*key)) is not None:
        raise ReservationRefused(f"{sku}: order {order_id} already released, shipped or set aside units", code=sku)
    row = dict.fromkeys(PLACES, 0) | {"order_id": order_id, "sku": sku, "reserved": quantity}
    await conn.execute(insert(reservations).values(row))


async def move(conn: AsyncConnection, order_id: str, source: str, target: str, wanted: dict[str, int] | None) -> None:
    """Move the order's units of each sku from one place to another (None: all there are)."""
    of_order = reservations.c.order_id == order_id
    if wanted is None:
        # Locked (on PostgreSQL; SQLite's writers are serialised) so that the quantities read are
        # the ones moved, in sku order like every other statement here.
        there = select(reservations.c.sku, reservations.c[source]).where(of_order, reservations.c[source] > 0)
        rows = await conn.execute(there.order_by(reservations.c.sku).with_for_update())
        wanted = {sku: quantity for sku, quantity in rows}
    source_bucket, target_bucket = BUCKET_OF[source], BUCKET_OF[target]
    for sku, quantity in sorted(wanted.items()):
        of_sku = (of_order, reservations.c.sku == sku)
        # Conditional on the units being there, so that a unit can leave a place only once.
        moved = await conn.execute(
            update(reservations)
            .where(*of_sku, reservations.c[source] >= quantity)
            .values({source: reservations.c[source] - quantity, target: reservations.c[target] + quantity})
        )
        if moved.rowcount != 1:
            held = await conn.scalar(select(reservations.c[source]).where(*of_sku))
            has = "never reserved it" if held is None else f"has {held} {source}"
            raise ReservationRefused(f"{sku}: {quantity} asked, order {order_id} {has}", code=sku)
        buckets = {source_bucket: stock.c[source_bucket] - quantity, target_bucket: stock.c[target_bucket] + quantity}
        await conn.execute(update(stock).where(stock.c.sku == sku).values(buckets))
