"""SqlInventoryStore on a real SQLite file and on a real PostgreSQL: all or nothing, at most once, never oversold."""

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activities.inventory import OutOfStock, ReleaseStock, ReserveStock, RestockReturned, ShipStock, StockLine
from activities.inventory_schema import ReservedUnits
from activities.inventory_sql import ReservationRefused, SqlInventoryStore
from tests.postgres import Postgres

BACKENDS = ("sqlite", "postgresql")


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def fresh_url(backend: str, directory: Path, postgres: Postgres) -> str:
    """A new, empty inventory database on `backend`."""
    return sqlite_url(directory / "inventory.db") if backend == "sqlite" else postgres.fresh_database()


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path, postgres: Postgres) -> str:
    return fresh_url(request.param, tmp_path, postgres)


@pytest.fixture
async def store(url: str) -> AsyncIterator[SqlInventoryStore]:
    store = SqlInventoryStore(url)
    await store.create_schema()
    yield store
    await store.close()


def reserve(order_id: str, *lines: tuple[str, int], key: str | None = None) -> ReserveStock:
    stock_lines = [StockLine(sku=sku, quantity=quantity) for sku, quantity in lines]
    return ReserveStock(order_id=order_id, lines=stock_lines, idempotency_key=key or f"{order_id}:reserve")


def release(order_id: str, *lines: tuple[str, int], restock: bool = True, key: str | None = None) -> ReleaseStock:
    """All that is still reserved, or only `lines` when some are named (a partial cancellation)."""
    stock_lines = [StockLine(sku=sku, quantity=quantity) for sku, quantity in lines] if lines else None
    key = key or f"{order_id}:release"
    return ReleaseStock(order_id=order_id, restock=restock, idempotency_key=key, lines=stock_lines)


def ship(order_id: str, *, key: str | None = None) -> ShipStock:
    return ShipStock(order_id=order_id, idempotency_key=key or f"{order_id}:ship")


def returned(order_id: str, *, restock: bool = True, key: str | None = None) -> RestockReturned:
    return RestockReturned(order_id=order_id, restock=restock, idempotency_key=key or f"{order_id}:returned")


Operation = ReserveStock | ReleaseStock | ShipStock | RestockReturned


async def apply(store: SqlInventoryStore, operation: Operation) -> None:
    """Send `operation` to the store method that takes it."""
    method = {
        ReserveStock: store.reserve,
        ReleaseStock: store.release,
        ShipStock: store.ship,
        RestockReturned: store.restock_returned,
    }[type(operation)]
    await method(operation)  # type: ignore[operator]


async def buckets(store: SqlInventoryStore, sku: str) -> tuple[int, int, int, int]:
    """(on_hand, reserved, shipped, quarantined)"""
    levels = await store.levels(sku)
    return levels.on_hand, levels.reserved, levels.shipped, levels.quarantined


async def test_reserve_moves_units_from_on_hand_to_reserved(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)

    await store.reserve(reserve("o1", ("apple", 3)))

    assert await buckets(store, "apple") == (7, 3, 0, 0)
    assert await store.reservation("o1") == {"apple": ReservedUnits(reserved=3)}


@pytest.mark.parametrize(
    ("operation", "levels", "units"),
    [
        pytest.param(
            release("o1", restock=True), (10, 0, 0, 0), ReservedUnits(released=3), id="restocked: back on hand"
        ),
        pytest.param(
            release("o1", restock=False), (7, 0, 0, 3), ReservedUnits(quarantined=3), id="not restocked: quarantined"
        ),
        pytest.param(
            release("o1", ("apple", 2), restock=False),
            (7, 1, 0, 2),
            ReservedUnits(reserved=1, quarantined=2),
            id="partial, not restocked: only those quarantined",
        ),
        pytest.param(ship("o1"), (7, 0, 3, 0), ReservedUnits(shipped=3), id="shipped: all three"),
        pytest.param(returned("o1"), (7, 3, 0, 0), ReservedUnits(reserved=3), id="unshipped return: nothing moves"),
    ],
)
async def test_a_release_ship_or_return_moves_the_reserved_units_to_their_bucket(
    store: SqlInventoryStore, operation: Operation, levels: tuple[int, int, int, int], units: ReservedUnits
) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))

    await apply(store, operation)

    assert await buckets(store, "apple") == levels
    assert await store.reservation("o1") == {"apple": units}


async def test_a_short_second_line_reserves_nothing_and_names_the_sku(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.set_stock("pear", 1)

    with pytest.raises(OutOfStock) as refused:
        await store.reserve(reserve("o1", ("apple", 3), ("pear", 2)))

    assert refused.value.code == "pear"
    assert str(refused.value) == "pear: 2 requested, 1 available"
    assert await buckets(store, "apple") == (10, 0, 0, 0)
    assert await buckets(store, "pear") == (1, 0, 0, 0)
    assert await store.reservation("o1") == {}


async def test_an_unknown_sku_is_out_of_stock_with_nothing_available(store: SqlInventoryStore) -> None:
    with pytest.raises(OutOfStock, match="ghost: 1 requested, 0 available"):
        await store.reserve(reserve("o1", ("ghost", 1)))


async def test_a_refused_reservation_can_be_retried_under_the_same_key(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 1)
    with pytest.raises(OutOfStock):
        await store.reserve(reserve("o1", ("apple", 2)))
    await store.set_stock("apple", 5)

    await store.reserve(reserve("o1", ("apple", 2)))

    assert await buckets(store, "apple") == (3, 2, 0, 0)


async def test_the_same_idempotency_key_twice_reserves_once(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)

    await store.reserve(reserve("o1", ("apple", 3), key="k"))
    await store.reserve(reserve("o1", ("apple", 3), key="k"))

    assert await buckets(store, "apple") == (7, 3, 0, 0)


async def test_releasing_twice_under_different_keys_returns_the_units_once(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))

    await store.release(release("o1", key="first"))
    await store.release(release("o1", key="second"))

    assert await buckets(store, "apple") == (10, 0, 0, 0)


async def test_releasing_after_shipping_gives_nothing_back(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))
    await store.ship(ship("o1"))

    await store.release(release("o1"))

    assert await buckets(store, "apple") == (7, 0, 3, 0)


async def test_reserving_again_for_a_released_order_is_refused(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))
    await store.release(release("o1"))

    with pytest.raises(ReservationRefused, match="apple: order o1 already released, shipped or set aside units"):
        await store.reserve(reserve("o1", ("apple", 1), key="again"))

    assert await buckets(store, "apple") == (10, 0, 0, 0)


async def test_set_stock_on_a_known_sku_keeps_its_other_buckets(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))

    await store.set_stock("apple", 20)

    assert await buckets(store, "apple") == (20, 3, 0, 0)


async def test_a_partial_release_of_one_line_leaves_the_other_reserved(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.set_stock("pear", 10)
    await store.reserve(reserve("o1", ("apple", 3), ("pear", 2)))

    await store.release(release("o1", ("apple", 3)))

    assert await buckets(store, "apple") == (10, 0, 0, 0)
    assert await buckets(store, "pear") == (8, 2, 0, 0)
    assert await store.reservation("o1") == {"apple": ReservedUnits(released=3), "pear": ReservedUnits(reserved=2)}


async def test_a_partial_then_a_full_release_gives_every_unit_back_once(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))

    await store.release(release("o1", ("apple", 1), key="part"))
    await store.release(release("o1", restock=False, key="rest"))
    await store.release(release("o1", key="again"))

    assert await buckets(store, "apple") == (8, 0, 0, 2)
    assert await store.reservation("o1") == {"apple": ReservedUnits(released=1, quarantined=2)}


async def test_releasing_more_than_is_still_reserved_is_refused_and_changes_nothing(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.set_stock("pear", 10)
    await store.reserve(reserve("o1", ("apple", 3), ("pear", 2)))
    await store.release(release("o1", ("pear", 1), key="part"))

    with pytest.raises(ReservationRefused) as refused:
        await store.release(release("o1", ("apple", 1), ("pear", 2), key="too-many"))

    assert refused.value.code == "pear"
    assert str(refused.value) == "pear: 2 asked, order o1 has 1 reserved"
    assert await buckets(store, "apple") == (7, 3, 0, 0)
    assert await buckets(store, "pear") == (9, 1, 0, 0)
    assert await store.reservation("o1") == {
        "apple": ReservedUnits(reserved=3),
        "pear": ReservedUnits(reserved=1, released=1),
    }


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        pytest.param(("pear", 1), "pear: 1 asked, order o1 never reserved it", id="a sku the order never reserved"),
        pytest.param(("apple", 0), "apple: quantity must be positive, got 0", id="a quantity of zero"),
    ],
)
async def test_a_partial_release_of_a_line_that_cannot_be_released_is_refused(
    store: SqlInventoryStore, line: tuple[str, int], complaint: str
) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))

    with pytest.raises(ReservationRefused, match=complaint):
        await store.release(release("o1", line))

    assert await buckets(store, "apple") == (7, 3, 0, 0)


async def test_shipping_after_a_partial_release_ships_only_the_rest(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.set_stock("pear", 10)
    await store.reserve(reserve("o1", ("apple", 3), ("pear", 2)))
    await store.release(release("o1", ("apple", 1), ("pear", 2)))

    await store.ship(ship("o1"))

    assert await buckets(store, "apple") == (8, 0, 2, 0)
    assert await buckets(store, "pear") == (10, 0, 0, 0)
    assert await store.reservation("o1") == {
        "apple": ReservedUnits(released=1, shipped=2),
        "pear": ReservedUnits(released=2),
    }


async def test_a_returned_parcel_is_restocked_once_whatever_the_key(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))
    await store.ship(ship("o1"))

    await store.restock_returned(returned("o1", key="back"))
    await store.restock_returned(returned("o1", key="back"))
    await store.restock_returned(returned("o1", key="back-again"))

    assert await buckets(store, "apple") == (10, 0, 0, 0)
    assert await store.reservation("o1") == {"apple": ReservedUnits(returned=3)}


async def test_a_returned_parcel_not_restocked_is_set_aside_in_quarantine(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))
    await store.ship(ship("o1"))

    await store.restock_returned(returned("o1", restock=False))
    await store.restock_returned(returned("o1", key="and-restock"))

    assert await buckets(store, "apple") == (7, 0, 0, 3)
    assert await store.reservation("o1") == {"apple": ReservedUnits(quarantined=3)}


FIRST_SCHEMA = """
CREATE TABLE stock (sku VARCHAR(64) PRIMARY KEY, on_hand INTEGER NOT NULL, reserved INTEGER NOT NULL,
                    shipped INTEGER NOT NULL, quarantined INTEGER NOT NULL);
CREATE TABLE reservations (order_id VARCHAR(64), sku VARCHAR(64), quantity INTEGER NOT NULL CHECK (quantity > 0),
                           state VARCHAR(16) NOT NULL, PRIMARY KEY (order_id, sku));
INSERT INTO stock VALUES ('apple', 5, 3, 2, 1);
INSERT INTO reservations VALUES ('o1', 'apple', 3, 'RESERVED'), ('o2', 'apple', 2, 'SHIPPED'),
                                ('o3', 'apple', 1, 'QUARANTINED'), ('o4', 'apple', 4, 'RELEASED');
"""


async def test_a_reservations_table_of_the_first_schema_is_converted_keeping_every_row(tmp_path: Path) -> None:
    with contextlib.closing(sqlite3.connect(tmp_path / "inventory.db")) as old:
        old.executescript(FIRST_SCHEMA)
    store = SqlInventoryStore(sqlite_url(tmp_path / "inventory.db"))

    try:
        await store.create_schema()
        await store.create_schema()
        await store.release(release("o1", ("apple", 1)))

        assert await buckets(store, "apple") == (6, 2, 2, 1)
        assert await store.reservation("o1") == {"apple": ReservedUnits(reserved=2, released=1)}
        assert await store.reservation("o2") == {"apple": ReservedUnits(shipped=2)}
        assert await store.reservation("o3") == {"apple": ReservedUnits(quarantined=1)}
        assert await store.reservation("o4") == {"apple": ReservedUnits(released=4)}
    finally:
        await store.close()


async def reserve_one_each(stores: list[SqlInventoryStore], count: int) -> list[BaseException | None]:
    attempts = [stores[i % len(stores)].reserve(reserve(f"o{i}", ("apple", 1))) for i in range(count)]
    return await asyncio.gather(*attempts, return_exceptions=True)


async def test_twenty_concurrent_reserves_against_ten_units_sell_exactly_ten(store: SqlInventoryStore) -> None:
    await store.set_stock("apple", 10)

    results = await reserve_one_each([store], 20)

    assert results.count(None) == 10
    assert all(isinstance(r, OutOfStock) for r in results if r is not None)
    assert await buckets(store, "apple") == (0, 10, 0, 0)


async def test_two_stores_on_one_database_never_oversell(store: SqlInventoryStore, url: str) -> None:
    await store.set_stock("apple", 10)
    other = SqlInventoryStore(url)

    try:
        results = await reserve_one_each([store, other], 20)
    finally:
        await other.close()

    assert results.count(None) == 10
    assert all(isinstance(r, OutOfStock) for r in results if r is not None)
    assert await buckets(store, "apple") == (0, 10, 0, 0)


async def test_concurrent_partial_releases_never_give_back_more_than_was_reserved(
    store: SqlInventoryStore, url: str
) -> None:
    await store.set_stock("apple", 10)
    await store.reserve(reserve("o1", ("apple", 3)))
    other = SqlInventoryStore(url)

    try:
        attempts = [[store, other][i % 2].release(release("o1", ("apple", 1), key=f"part{i}")) for i in range(6)]
        results = await asyncio.gather(*attempts, return_exceptions=True)
    finally:
        await other.close()

    assert results.count(None) == 3
    assert all(isinstance(r, ReservationRefused) for r in results if r is not None)
    assert await buckets(store, "apple") == (10, 0, 0, 0)


ORDERS, SKUS, ON_HAND = ("o1", "o2", "o3"), ("apple", "pear"), 8
orders = st.sampled_from(ORDERS)
lines = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4)), min_size=1, max_size=2)
# Small enough that a partial release mostly finds the units, and sometimes asks for more than are left.
part = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 2)), min_size=1, max_size=2)
# Two keys per order and step, so that both retries (same key) and repeats (new key) happen.
attempt = st.integers(0, 1)
step = st.one_of(
    st.builds(lambda o, ls, n: reserve(o, *ls, key=f"{o}:reserve:{n}"), orders, lines, attempt),
    st.builds(lambda o, r, n: release(o, restock=r, key=f"{o}:release:{n}"), orders, st.booleans(), attempt),
    st.builds(
        lambda o, ls, r, n: release(o, *ls, restock=r, key=f"{o}:part:{n}"), orders, part, st.booleans(), attempt
    ),
    st.builds(lambda o, n: ship(o, key=f"{o}:ship:{n}"), orders, attempt),
    st.builds(lambda o, r, n: returned(o, restock=r, key=f"{o}:returned:{n}"), orders, st.booleans(), attempt),
)
# Every order first reserves both skus, so that the steps after it mostly find units to release, ship and return.
both = st.tuples(st.integers(1, 2), st.integers(1, 2))
openings = st.tuples(
    *(st.builds(lambda q, o=o: reserve(o, *zip(SKUS, q, strict=True), key=f"{o}:reserve:0"), both) for o in ORDERS)
)
operations = st.builds(lambda opening, then: [*opening, *then], openings, st.lists(step, min_size=4, max_size=16))

Snapshot = tuple[dict[str, tuple[int, int, int, int]], dict[tuple[str, str], ReservedUnits]]


async def snapshot(store: SqlInventoryStore) -> Snapshot:
    levels = {sku: await buckets(store, sku) for sku in SKUS}
    rows = {(o, sku): units for o in ORDERS for sku, units in (await store.reservation(o)).items()}
    return levels, rows


def assert_conserved_and_matching_reservations(state: Snapshot) -> None:
    levels, rows = state
    for sku, (on_hand, reserved, shipped, quarantined) in levels.items():
        of_sku = [units for (_, s), units in rows.items() if s == sku]
        held = {place: sum(getattr(units, place) for units in of_sku) for place in ReservedUnits.model_fields}
        assert min(on_hand, reserved, shipped, quarantined) >= 0
        assert all(min(units.model_dump().values()) >= 0 for units in of_sku)
        assert on_hand + reserved + shipped + quarantined == ON_HAND
        assert (reserved, shipped, quarantined) == (held["reserved"], held["shipped"], held["quarantined"])
        # Units are back on hand exactly when a row says they were released or returned.
        assert on_hand == ON_HAND - sum(units.total for units in of_sku) + held["released"] + held["returned"]


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=50, deadline=None)
@given(operations=operations)
async def test_any_sequence_of_operations_conserves_units_and_never_goes_negative(
    backend: str, operations: list[Operation], tmp_path_factory: pytest.TempPathFactory, postgres: Postgres
) -> None:
    store = SqlInventoryStore(fresh_url(backend, tmp_path_factory.mktemp("property"), postgres))
    await store.create_schema()
    for sku in SKUS:
        await store.set_stock(sku, ON_HAND)

    try:
        for operation in operations:
            before = await snapshot(store)
            try:
                await apply(store, operation)
            except (OutOfStock, ReservationRefused):
                assert await snapshot(store) == before  # a refusal is legal, and all or nothing
            after = await snapshot(store)
            assert_conserved_and_matching_reservations(after)
            if not isinstance(operation, ReserveStock):
                # Only a reservation changes how many units an order holds in all; the rest move them.
                assert {k: u.total for k, u in after[1].items()} == {k: u.total for k, u in before[1].items()}
    finally:
        await store.close()
