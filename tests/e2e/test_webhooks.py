"""Order events out on the real system: the receiver stand-in as the subscriber, refusing and losing answers,
and every event still reaching it, none lost, a repeat only ever under the same id; a subscriber that is down
is listed by `orders webhooks failing` and served at once after `orders webhooks resume`."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from domain.order_events import events_since, events_workflow_id
from runtime.webhook_subscribers import receiver_stand_in
from starter.scenarios import ScenarioResult, run_one
from starter.scenarios.context import context
from starter.scenarios.kit import ScenarioOrder
from starter.system import System, isolated_settings
from starter.webhook_commands import failing_query
from tests.e2e.conftest import orders, until_visible
from tests.waiting import until

pytestmark = pytest.mark.e2e

# Every kind of event: confirmed, completed, cancelled, partially cancelled, rejected, refund settled, needs attention.
TOLD = [
    "happy_path", "cancel_inside_window", "cancel_after_capture", "partial_cancel_after_capture",
    "cancel_after_delivery_rejected", "refund_fails_then_store_credit",
]


@pytest.fixture(scope="module")
async def subscribed(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    settings = isolated_settings(tmp_path_factory.mktemp("webhooks"))
    settings = settings.model_copy(update={"webhook_subscribers": receiver_stand_in(settings.sandbox_url)})
    async with System(settings) as running:
        yield running


async def told_failures(system: System, **failures: Any) -> None:
    async with httpx.AsyncClient(base_url=system.settings.sandbox_url) as sandbox:
        (await sandbox.put("/receiver/admin/failures", json=failures)).raise_for_status()


async def received(system: System) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=system.settings.sandbox_url) as sandbox:
        return (await sandbox.get("/receiver/receiver/events")).json()  # type: ignore[no-any-return]


async def test_every_event_reaches_a_failing_receiver_once_under_its_id_in_order(subscribed: System) -> None:
    await told_failures(subscribed, fail_next=3, lose_next=2)
    async with context(subscribed.settings) as ctx:
        results: list[ScenarioResult] = [await run_one(ctx, name) for name in TOLD]
        order_ids = [order_id for result in results for order_id in result.order_ids]
        expected = {order_id: [e.id for e in events_since(await ctx.orders.status(order_id), 0)] for order_id in order_ids}

    async def all_arrived() -> bool:
        ids = {event["id"] for event in await received(subscribed)}
        return all(set(wanted) <= ids for wanted in expected.values())

    await until(all_arrived, what="every order event at the receiver", timeout=240)
    kept = await received(subscribed)

    assert all(r.passed for r in results), [r.detail for r in results if not r.passed]
    assert {event["type"] for event in kept} >= {
        "order.confirmed", "order.completed", "order.cancelled", "order.partially_cancelled",
        "order.cancellation_rejected", "order.refund_settled", "order.needs_attention",
    }
    assert sorted(event["id"] for event in kept) == sorted(i for ids in expected.values() for i in ids)  # none unknown
    assert sum(event["duplicates"] for event in kept) >= 2  # the answers lost: sent again, kept once
    for order_id, wanted in expected.items():
        arrived = [event["id"] for event in kept if event["order_id"] == order_id]
        assert arrived == wanted, f"{order_id}: its events arrived out of order"
    assert all(event["body"]["id"] == event["id"] and event["body"]["order_id"] == event["order_id"] for event in kept)


async def test_a_receiver_that_is_down_is_listed_and_resumed_by_operators(subscribed: System) -> None:
    settings = subscribed.settings
    await told_failures(subscribed, down=True)
    async with context(settings) as ctx:
        run = ScenarioOrder(ctx, "webhook_down", window=timedelta(minutes=30))
        await run.place()
        this_order = f' AND WorkflowId="{events_workflow_id(run.order_id)}"'
        await until_visible(settings, failing_query("receiver") + this_order, 1, timeout=60)

        listed = orders(settings, "webhooks", "failing")
        await told_failures(subscribed, down=False)
        resumed = orders(settings, "webhooks", "resume", run.order_id)
        confirmed = [e.id for e in events_since(await ctx.orders.status(run.order_id), 0)]

    async def confirmation_arrived() -> bool:
        return {event["id"] for event in await received(subscribed)} >= set(confirmed)

    await until(confirmation_arrived, what="the confirmation after resume", timeout=20)  # well before the next retry
    (line,) = [line for line in listed.stdout.splitlines() if line.startswith(f"{run.order_id}\treceiver\t")]
    assert "receiver retrying" in line and "HTTP 503" in line
    assert resumed.returncode == 0 and resumed.stdout.strip() == "retrying now: receiver", resumed.stderr
    assert confirmed
    await until_visible(settings, failing_query(None) + this_order, 0, timeout=30)
    unknown = orders(settings, "webhooks", "resume", "no-such-order")
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1 and "no event deliveries" in unknown.stderr
