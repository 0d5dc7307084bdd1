"""`orders audit` against a real system: a store corrupted on purpose is reported, with the order's id,
and the command exits non-zero. Each test puts the store back as it was, for the tests after it."""

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from runtime.settings import Settings
from starter.scenarios import run_suite
from starter.scenarios.context import context
from starter.system import System
from tests.e2e.conftest import orders

pytestmark = pytest.mark.e2e


@contextmanager
def altered(database: Path, change: str, undo: str, params: dict[str, object]) -> Iterator[None]:
    """`change` applied to the SQLite file for the block, then `undo`."""
    with sqlite3.connect(database, timeout=30) as conn:
        assert conn.execute(change, params).rowcount == 1
    try:
        yield
    finally:
        with sqlite3.connect(database, timeout=30) as conn:
            conn.execute(undo, params)


# Each corruption: the file it touches (under var_dir, or the inventory database), the change, its undo,
# and the rule the audit must name for the order.
CORRUPTIONS = {
    "an extra refund in the gateway's ledger": (
        "sandbox.db",
        "INSERT INTO refunds (id, payment_intent_id, amount, status, created_at) "
        "SELECT 're_audit_extra', id, 100, 'succeeded', created_at FROM payment_intents WHERE order_id = :order",
        "DELETE FROM refunds WHERE id = 're_audit_extra'",
        "money_within_bounds",
    ),
    "a duplicated cancellation message": (
        "mailbox.db",
        'INSERT INTO messages (message_id, order_id, kind, "to", subject, body, received_at) '
        "SELECT '<audit-copy@example.com>', order_id, kind, \"to\", subject, body, received_at FROM messages "
        "WHERE order_id = :order AND kind = 'CANCELLATION'",
        "DELETE FROM messages WHERE message_id = '<audit-copy@example.com>'",
        "one_message_per_outcome",
    ),
    "a stock release undone": (
        "inventory",
        "UPDATE reservations SET reserved = released, released = 0 WHERE order_id = :order AND released > 0 "
        "AND sku = (SELECT min(sku) FROM reservations WHERE order_id = :order AND released > 0)",
        "UPDATE reservations SET released = reserved, reserved = 0 WHERE order_id = :order AND reserved > 0",
        "cancelled_holds_nothing",
    ),
}


def database(settings: Settings, name: str) -> Path:
    return Path(str(make_url(settings.inventory_db_url).database)) if name == "inventory" else settings.var_dir / name


@pytest.fixture(scope="module")
async def cancelled_order(system: System) -> str:
    """An order cancelled after capture: refunded, its stock released, its customer told."""
    async with context(system.settings) as ctx:
        [result] = await run_suite(ctx, ["cancel_after_capture"])
    assert result.passed, result.detail
    return result.order_ids[0]


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_corrupted_store_is_reported_with_the_order_and_a_failing_exit(
    system: System, cancelled_order: str, corruption: str
) -> None:
    name, change, undo, rule = CORRUPTIONS[corruption]

    with altered(database(system.settings, name), change, undo, {"order": cancelled_order}):
        result = orders(system.settings, "audit", "--json")

    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert (cancelled_order, rule) in {(v["order_id"], v["rule"]) for v in report["violations"]}
    assert not report["clean"] and report["rules"][rule] >= 1


def test_the_audit_prints_a_summary_and_each_violation_without_json(system: System, cancelled_order: str) -> None:
    name, change, undo, _ = CORRUPTIONS["a duplicated cancellation message"]

    with altered(database(system.settings, name), change, undo, {"order": cancelled_order}):
        result = orders(system.settings, "audit")

    assert result.returncode == 1
    assert "one_message_per_outcome" in result.stdout and cancelled_order in result.stdout
