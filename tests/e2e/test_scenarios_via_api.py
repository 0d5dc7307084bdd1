"""The scenario suite driven through the HTTP API with role keys: every step the API offers goes over HTTP,
and only the channels Temporal alone offers (a signal, a Temporal cancel request) go to Temporal, named."""

import re

import httpx
import pytest

from starter.order_service import Via
from starter.scenarios import SCENARIOS, run_suite
from starter.scenarios.channels import CANCEL_REQUEST, SIGNAL
from starter.scenarios.context import context
from starter.system import System
from tests.e2e.test_scenarios import failures

pytestmark = pytest.mark.e2e


async def answered(system: System, route: str, status: int, method: str = "POST") -> int:
    """How many requests to `route` the API has answered with `status` (its Prometheus counter)."""
    async with httpx.AsyncClient(base_url=system.settings.api_url) as http:
        metrics = (await http.get("/metrics")).text
    labels = f'method="{method}",route="{route}",status="{status}"'
    found = re.search(r"^orders_api_requests_total\{" + re.escape(labels) + r"\} (\S+)$", metrics, re.MULTILINE)
    return int(float(found.group(1))) if found else 0


async def test_every_scenario_passes_through_the_api(system: System) -> None:
    placed_before = await answered(system, "/orders", 201)
    reviewed_before = await answered(system, "/orders/{order_id}/reviews", 200)
    resolved_before = await answered(system, "/orders/{order_id}/resolutions", 200)

    async with context(system.settings, Via.API) as ctx:
        results = await run_suite(ctx)

    assert [r.name for r in results] == list(SCENARIOS)
    assert all(r.passed for r in results), failures(results)
    placed = sum(len(r.order_ids) for r in results)
    assert await answered(system, "/orders", 201) - placed_before == placed
    assert await answered(system, "/orders/{order_id}/reviews", 200) - reviewed_before == 3  # approved, denied, held
    assert await answered(system, "/orders/{order_id}/resolutions", 200) - resolved_before == 1  # to store credit
    off_the_api = {r.name: r.temporal_steps for r in results if r.temporal_steps}
    assert off_the_api == {
        "duplicate_cancel": (SIGNAL,),
        "cancel_by_signal": (SIGNAL,),
        "temporal_cancel_request": (CANCEL_REQUEST,),
    }
