"""Orders under faults on demand: every stand-in refusing and losing answers often, the orders still end right,
and the faults changed while the system runs."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from starter.client import workflow_id
from starter.faults import fault_counters, set_faults
from starter.retries import fetch_retried_steps
from starter.scenarios import ScenarioResult, run_one
from starter.scenarios.context import context
from starter.scenarios.endings import expect_completed
from starter.scenarios.kit import SHORT_WINDOW, ScenarioOrder
from starter.system import System, isolated_settings
from tests.e2e.conftest import orders
from tests.waiting import until

pytestmark = pytest.mark.e2e

# Of the requests to every endpoint, a fifth refused and another fifth carried out with the answer lost.
# One scenario at a time, so that each endpoint gets its requests, hence its faults, in the same order
# on every run (the seed fixes each endpoint's draws): no step fails so long in a row that a request
# sent meanwhile waits past the client's patience (a cancel waits for the step under way to settle).
FAULTS = "seed=11;*:error=0.2,lost=0.2,latency=5ms"
# Every kind of effect: a hold voided, a capture, a refund, a label bought and voided, a decline, mail, stock.
UNDER_FAULTS = [
    "happy_path", "declined_card", "cancel_inside_window", "cancel_after_capture", "cancel_after_label", "refund_to_store_credit",
]


@pytest.fixture(scope="module")
async def faulty(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[System]:
    settings = isolated_settings(tmp_path_factory.mktemp("faulty")).model_copy(update={"faults": FAULTS})
    async with System(settings) as running:
        yield running


def worker_events(system: System) -> list[dict]:
    log = Path(system.settings.var_dir) / "worker-1.log"
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def failures(results: list[ScenarioResult]) -> str:
    return "\n".join(f"{r.name} {' '.join(r.order_ids)}: {r.detail}" for r in results if not r.passed)


async def test_orders_end_right_in_money_stock_and_mail_when_every_endpoint_fails_often(faulty: System) -> None:
    async with context(faulty.settings) as ctx:
        results = [await run_one(ctx, name) for name in UNDER_FAULTS]

    assert all(r.passed for r in results), failures(results)
    counters = await fault_counters(faulty.settings.sandbox_url)
    assert sum(c["error"] for c in counters.values()) > 0 and sum(c["lost"] for c in counters.values()) > 0
    events = worker_events(faulty)
    assert any(e["event"] == "fault.injected" and e["endpoint"] == "inventory" for e in events)
    retried = [e for e in events if e["event"] == "activity.succeeded_after_retries"]
    assert retried and all(e["attempt"] > 1 and e["order_id"] for e in retried)


async def test_faults_changed_at_run_time_hold_an_order_back_and_status_tells_the_retries(faulty: System) -> None:
    settings = faulty.settings
    await set_faults(settings.sandbox_url, "payment.authorize:error=1")
    async with context(settings) as ctx:
        run = ScenarioOrder(ctx, "held_back_by_faults", window=SHORT_WINDOW)
        await run.place()

        async def authorize_retried() -> bool:
            steps = await fetch_retried_steps(ctx.orders.client, workflow_id(run.order_id))
            return any(s.activity == "authorize_payment" and s.ended == "still trying" for s in steps)

        await until(authorize_retried, what="authorize_payment to be retried")
        cleared = await set_faults(settings.sandbox_url, "")
        order = await run.deliver()
        await expect_completed(run, order, "CONFIRMATION")

    shown = orders(settings, "status", run.order_id)
    assert cleared["spec"] == ""
    assert shown.returncode == 0, shown.stderr
    assert "authorize_payment: succeeded on attempt" in shown.stdout
