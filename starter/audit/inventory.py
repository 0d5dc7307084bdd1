"""The audit's reader of the inventory: every sku's stock buckets and every order's reservation rows."""

from sqlalchemy import select

from activities.inventory_schema import PLACES, make_engine, reservations, stock
from domain.audit_facts import SkuFacts, Units


async def read_inventory(url: str) -> tuple[list[SkuFacts], list[tuple[str, str, Units]]]:
    """The stock of each sku, and each reservation row as (order id, sku, units), read in one transaction."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            levels = (await conn.execute(select(stock))).mappings().all()
            rows = (await conn.execute(select(reservations))).mappings().all()
    finally:
        await engine.dispose()
    skus = [SkuFacts(**level) for level in levels]
    return skus, [(row["order_id"], row["sku"], Units(**{place: row[place] for place in PLACES})) for row in rows]
