"""The inventory tables, and an engine on which concurrent workers queue instead of overselling."""

from pathlib import Path
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    event,
    insert,
    inspect,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

# Its home is domain.units (the audit reads reservations too); the inventory's modules import it from here.
from domain.units import ReservedUnits as ReservedUnits

BUCKETS = ("on_hand", "reserved", "shipped", "quarantined")
# Where each unit an order reserved of a sku is now: still held, back on hand before shipping,
# with the carrier, back on hand after a return, or set aside. A unit is in exactly one place,
# so a partial release or a return moves quantities between places and never loses track.
PLACES = ("reserved", "released", "shipped", "returned", "quarantined")
# The stock bucket that holds the units of each place: moving units between two places of a
# reservation moves the same units between these buckets, which keeps both sides in step.
BUCKET_OF = {
    "reserved": "reserved",
    "released": "on_hand",
    "shipped": "shipped",
    "returned": "on_hand",
    "quarantined": "quarantined",
}


metadata = MetaData()
stock = Table(
    "stock",
    metadata,
    Column("sku", String(64), primary_key=True),
    *(Column(b, Integer, CheckConstraint(f"{b} >= 0", name=f"{b}_not_negative"), nullable=False) for b in BUCKETS),
)
reservations = Table(
    "reservations",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("sku", String(64), primary_key=True),
    *(Column(p, Integer, CheckConstraint(f"{p} >= 0", name=f"held_{p}_not_negative"), nullable=False) for p in PLACES),
)
movements = Table(
    "stock_movements",
    metadata,
    Column("idempotency_key", String(200), primary_key=True),
    Column("order_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)


def upgrade_reservations(conn: Connection) -> int | None:
    """Convert a reservations table of the first schema (one quantity in one state per row) to
    units per place, keeping every row; returns how many rows were converted, None if none was old."""
    if not inspect(conn).has_table("reservations"):
        return None
    if "state" not in {column["name"] for column in inspect(conn).get_columns("reservations")}:
        return None
    old = conn.execute(text("SELECT order_id, sku, quantity, state FROM reservations")).all()
    # Drop before create rather than rename: PostgreSQL would keep the old primary key's index name.
    conn.execute(text("DROP TABLE reservations"))
    reservations.create(conn)
    # The old states map one to one onto places (SHIPPED units had not been returned: there was no return).
    rows = [dict(dict.fromkeys(PLACES, 0), order_id=o, sku=s, **{state.lower(): q}) for o, s, q, state in old]
    if rows:
        conn.execute(insert(reservations), rows)
    return len(rows)


def make_engine(url: str) -> AsyncEngine:
    """An async engine for `url`; on SQLite, write transactions queue for the lock instead of failing."""
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":
        _serialize_sqlite_writers(engine)
    return engine


def _serialize_sqlite_writers(engine: AsyncEngine) -> None:
    # SQLite's default deferred BEGIN lets two workers read, then fail when both try to write
    # (WAL answers SQLITE_BUSY_SNAPSHOT without waiting). BEGIN IMMEDIATE takes the write lock
    # first, and the busy timeout makes a second worker queue for it instead of failing.
    # These are the event hooks documented in SQLAlchemy's "sqlite_transactions" section.
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver must not emit its own BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")  # a reader (an operator's sqlite3 shell) never blocks writers
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
