"""Customer service at the command line: `orders review`, `orders resolve`, `orders list --needs-review`,
and partial cancellation with `orders cancel --line`. Bad input gets one line and a non-zero exit."""

import json
from pathlib import Path

import pytest

from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.policy import Policy
from starter.client import OrdersClient
from starter.inputs import order_from_flags
from starter.reviews import AWAITING_REVIEW
from starter.system import System, isolated_settings
from tests.e2e.conftest import orders, until_visible
from tests.e2e.test_cli import assert_one_line_error

pytestmark = pytest.mark.e2e

REFUND_FAILS_CARD = "pm_card_refundFail"


async def placed(system: System, *, card: str = "pm_card_visa", **policy: object) -> str:
    """An order of 2 x MUG-BLUE and 1 x TEE-M (demo skus, seeded by the sandbox), with this policy."""
    command = order_from_flags(
        customer="cli-staff", skus=["MUG-BLUE:2:1250", "TEE-M:1:800"], card=card, currency="EUR", fee=0, window=None
    )
    command = command.model_copy(update={"policy": Policy.model_validate(policy)})
    client = await OrdersClient.connect(system.settings)
    await client.place(command)
    await client.wait_for(command.order_id, lambda o: o.window_closes_at is not None)  # confirmed
    return command.order_id


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("review", "x1", "--by", "sam"), "say what you decide: --approve or --deny"),
        (("review", "x1", "--approve"), "Missing option '--by'"),
        (("review", "x1", "--by", "sam", "--approve", "--request", ""), "--request is empty"),
        (("resolve", "x1", "--by", "sam"), "choose exactly one way out: --retry, --store-credit, --mark-resolved"),
        (("resolve", "x1", "--by", "sam", "--retry", "--mark-resolved"), "choose exactly one way out"),
        (("cancel", "x1", "--reason", "customer", "--line", "MUG"), "invalid --line 'MUG': expected SKU:QTY"),
        (("cancel", "x1", "--reason", "customer", "--refund-to", "cash"), "unknown refund destination"),
        (("review", "", "--approve", "--by", "sam"), "order id must not be empty"),
        (("resolve", "\t", "--retry", "--by", "sam"), "order id must not be empty"),
    ],
)
def test_malformed_staff_input_gets_one_line_before_anything_is_sent(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    result = orders(isolated_settings(tmp_path), *args)  # nothing listens there: the input is refused first

    assert_one_line_error(result, expected)


@pytest.fixture(scope="module")
async def confirmed_order(system: System) -> str:
    """An order waiting out a long window: no review open, nothing needing attention."""
    return await placed(system, free_cancellation_window=600)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("review", "nope", "--approve", "--by", "sam"), "order nope not found"),
        (("resolve", "nope", "--retry", "--by", "sam"), "order nope not found"),
        (("review", "{id}", "--approve", "--by", "sam"), "order {id} has no cancellation request awaiting review"),
        (("review", "{id}", "--request", "r-x", "--deny", "--by", "sam"), "has no cancellation request 'r-x'"),
        (("resolve", "{id}", "--retry", "--by", "sam"), "order {id} is not waiting for a resolution"),
        (
            ("cancel", "{id}", "--reason", "customer", "--line", "MUG-BLUE:3"),
            "line MUG-BLUE: 3 to cancel but only 2 still open",
        ),
    ],
)
def test_a_request_the_order_cannot_take_gets_one_line_saying_why(
    system: System, confirmed_order: str, args: tuple[str, ...], expected: str
) -> None:
    result = orders(system.settings, *(arg.format(id=confirmed_order) for arg in args))

    assert_one_line_error(result, expected.format(id=confirmed_order))


async def test_a_pending_review_is_listed_and_denied_from_the_command_line(system: System) -> None:
    order_id = await placed(system, free_cancellation_window=600, review_above_minor=0)
    asked = orders(system.settings, "cancel", order_id, "--reason", "customer", "--line", "TEE-M:1")
    this_order = f'{AWAITING_REVIEW} AND WorkflowId="order-{order_id}"'

    await until_visible(system.settings, this_order, 1)
    listed = orders(system.settings, "list", "--needs-review", "--limit", "1000")
    shown = orders(system.settings, "status", order_id)
    denied = orders(system.settings, "review", order_id, "--deny", "--by", "sam", "--note", "already packed")
    again = orders(system.settings, "review", order_id, "--approve", "--by", "sam")
    await until_visible(system.settings, this_order, 0)
    relisted = orders(system.settings, "list", "--needs-review", "--limit", "1000")

    assert "PENDING_REVIEW" in asked.stdout, asked.stderr
    assert order_id in listed.stdout and "awaiting review" in listed.stdout, listed.stderr
    assert order_id not in relisted.stdout, relisted.stderr
    assert "PENDING REVIEW" in shown.stdout, shown.stderr
    assert denied.returncode == 0 and "REJECTED REVIEW_DENIED" in denied.stdout, denied.stderr
    assert_one_line_error(again, f"order {order_id} has no cancellation request awaiting review")


async def test_a_failed_refund_is_resolved_to_store_credit_from_the_command_line(system: System) -> None:
    order_id = await placed(system, card=REFUND_FAILS_CARD, free_cancellation_window=0)
    client = await OrdersClient.connect(system.settings)
    await client.wait_for(order_id, lambda o: o.captured_minor > 0)
    orders(system.settings, "cancel", order_id, "--reason", "staff", "--by", "customer_service")
    await client.wait_for(order_id, lambda o: o.status is OrderStatus.NEEDS_ATTENTION)

    shown = orders(system.settings, "status", order_id)
    resolved = orders(system.settings, "resolve", order_id, "--store-credit", "--by", "sam", "--note", "card expired")
    view = await client.wait_for(order_id, lambda o: o.status is OrderStatus.CANCELLED)
    as_json = Order.model_validate(json.loads(orders(system.settings, "status", order_id, "--json").stdout))

    assert "expired_or_canceled_card" in shown.stdout and "--store-credit" in shown.stdout, shown.stdout
    assert resolved.returncode == 0 and "REFUND_TO_STORE_CREDIT by sam" in resolved.stdout, resolved.stderr
    assert (view.store_credit_minor, view.refunded_minor) == (view.captured_minor, view.captured_minor)
    assert as_json.store_credit_minor == view.captured_minor


def test_repairing_an_unknown_order_is_one_line(system: System) -> None:
    assert_one_line_error(orders(system.settings, "repair", "no-such-order"), "no-such-order")


async def test_repair_leaves_an_order_that_replays_alone_and_finds_nothing_stuck(system: System) -> None:
    order_id = await placed(system)

    named = orders(system.settings, "repair", order_id)
    swept = orders(system.settings, "repair", "--dry-run")

    assert named.returncode == 0 and "replays on this code; nothing to repair" in named.stdout, named.stderr
    assert swept.returncode == 0 and "no order is stuck" in swept.stdout, swept.stderr
