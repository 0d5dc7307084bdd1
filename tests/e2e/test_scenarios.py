"""The scenario suite against the whole system: every lifecycle path and cancellation, every ledger checked."""

import asyncio
import json

import pytest

from starter.scenarios import SCENARIOS, ScenarioResult, run_suite
from starter.scenarios.context import context
from starter.system import System
from tests.e2e.conftest import orders

pytestmark = pytest.mark.e2e


def failures(results: list[ScenarioResult]) -> str:
    return "\n".join(f"{r.name} {' '.join(r.order_ids)}: {r.detail}" for r in results if not r.passed)


async def test_every_scenario_passes_against_the_running_system(system: System) -> None:
    async with context(system.settings) as ctx:
        results = await run_suite(ctx)

    assert [r.name for r in results] == list(SCENARIOS)
    assert all(r.passed for r in results), failures(results)


async def test_the_suite_can_run_again_twice_at_once_on_the_same_system(system: System) -> None:
    async with context(system.settings) as ctx:
        first, second = await asyncio.gather(run_suite(ctx), run_suite(ctx))

    assert all(r.passed for r in first + second), failures(first + second)


def test_the_audit_is_clean_after_the_scenarios(system: System) -> None:
    result = orders(system.settings, "audit", "--json")

    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["violations"] == [], "\n".join(f"{v['order_id']} {v['rule']}: {v['detail']}" for v in report["violations"])
    assert result.returncode == 0, result.stderr
    assert report["clean"] and report["orders"] > len(SCENARIOS)
