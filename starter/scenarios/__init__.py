"""The scenario suite: each scenario places its own order against the running system and checks every ledger.

Scenarios share nothing (fresh order ids and skus each run), so they run concurrently, any
number of times, and beside other suites against the same system.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from rich.console import Console

from runtime.settings import Settings
from starter import render
from starter.order_service import Via
from starter.scenarios import channels, forward, partial, pickup, refunds, review, stages
from starter.scenarios.context import Context, context, track
from starter.scenarios.kit import Failed

Scenario = Callable[[Context], Awaitable[str]]

SCENARIOS: dict[str, Scenario] = {
    scenario.__name__: scenario
    for scenario in (
        forward.happy_path,
        forward.declined_card,
        forward.out_of_stock,
        stages.cancel_inside_window,
        stages.cancel_after_capture,
        stages.cancel_after_label,
        pickup.cancel_in_transit_intercepted,
        pickup.intercept_refused,
        pickup.cancel_after_delivery_rejected,
        partial.partial_cancel_before_capture,
        partial.partial_cancel_after_capture,
        partial.cancel_every_line_one_by_one,
        review.review_approved,
        review.review_denied,
        review.review_holds_the_parcel,
        review.review_deadline_expired,
        refunds.refund_to_store_credit,
        refunds.refund_fails_then_store_credit,
        channels.duplicate_cancel,
        channels.cancel_by_signal,
        channels.two_concurrent_cancels,
        channels.temporal_cancel_request,
    )
}

# Generous: the longest scenario waits for a window, a delivery and a return period of seconds each.
SCENARIO_TIMEOUT = 120.0


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    passed: bool
    detail: str
    seconds: float
    order_ids: tuple[str, ...] = ()
    temporal_steps: tuple[str, ...] = ()  # run over the API, the steps that went to Temporal instead


async def run_one(ctx: Context, name: str) -> ScenarioResult:
    started = time.monotonic()
    trace = track()
    try:
        detail = await asyncio.wait_for(SCENARIOS[name](ctx), SCENARIO_TIMEOUT)
        passed = True
    except Failed as failure:
        passed, detail = False, str(failure)
    except TimeoutError:
        passed, detail = False, f"did not finish within {SCENARIO_TIMEOUT:.0f}s"
    except Exception as error:  # noqa: BLE001 - one broken scenario must not hide the others' results
        passed, detail = False, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    seconds = time.monotonic() - started
    return ScenarioResult(name, passed, detail, seconds, tuple(trace.order_ids), tuple(trace.temporal_steps))


async def run_suite(ctx: Context, names: Sequence[str] | None = None) -> list[ScenarioResult]:
    """Run the named scenarios (all by default) concurrently; results in the order asked."""
    chosen = list(names) if names is not None else list(SCENARIOS)
    return list(await asyncio.gather(*(run_one(ctx, name) for name in chosen)))


async def run_suite_with(
    settings: Settings, names: Sequence[str] | None, console: Console, via: Via = Via.TEMPORAL
) -> bool:
    """Connect to the system `settings` describe, run the suite `via` Temporal or the API, print its table;
    True when all passed."""
    async with context(settings, via) as ctx:
        results = await run_suite(ctx, names)
    console.print(render.scenarios(results))
    return all(result.passed for result in results)
