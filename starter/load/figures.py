"""What a load measured, from each order's result: orders/s, percentiles of the cancel update and of each
stage, end-state counts and the orders that missed their expected end. Pure: no I/O, no clock."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.lifecycle import TimelineEntry
from starter.bench_report import percentile
from starter.load.mix import Path

# A stage is reached at the first timeline entry of its event; its time counts from the PLACED entry.
STAGES = {
    "confirmed": "CONFIRMED",
    "captured": "FULFILLING",  # the move that captures the payment
    "labelled": "LABEL_CREATED",
    "shipped": "SHIPPED",
    "delivered": "DELIVERED",
    "completed": "COMPLETED",
    "cancelled": "CANCELLED",
}
QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


@dataclass
class OrderResult:
    """One load order: its path, the end it had to reach and the one it was last seen in."""

    path: Path
    order_id: str
    expected: str
    ended: str = ""
    met: bool = False
    cancel_s: list[float] = field(default_factory=list)  # each cancel or review update's round trip
    stages: dict[str, float] = field(default_factory=dict)
    problem: str = ""


def stage_seconds(timeline: Sequence[TimelineEntry]) -> dict[str, float]:
    """Seconds from placement to the first entry of each stage the order reached."""
    placed = next((entry.at for entry in timeline if entry.event == "PLACED"), None)
    if placed is None:
        return {}
    first: dict[str, float] = {}
    for entry in timeline:
        for stage, event in STAGES.items():
            if entry.event == event and stage not in first:
                first[stage] = (entry.at - placed).total_seconds()
    return first


def spread(values: Sequence[float], scale: float = 1.0) -> dict[str, float | int]:
    """The count and percentiles of `values` (times `scale`, rounded); no percentiles for no values."""
    if not values:
        return {"count": 0}
    return {"count": len(values)} | {name: round(percentile(list(values), q) * scale, 3) for name, q in QUANTILES.items()}


def summary(results: Sequence[OrderResult], seconds: float) -> dict[str, Any]:
    """The load's figures as one JSON-able dict (what `--json` prints, before the audit's verdict is added)."""
    paths = Counter(result.path for result in results)
    met = Counter(result.path for result in results if result.met)
    missed = [result for result in results if not result.met]
    return {
        "orders": len(results),
        "seconds": round(seconds, 1),
        "orders_per_s": round(len(results) / seconds, 2) if seconds > 0 else 0.0,
        "cancel_update_ms": spread([s for result in results for s in result.cancel_s], scale=1000),
        "stages_s": {stage: spread([r.stages[stage] for r in results if stage in r.stages]) for stage in STAGES},
        "end_states": dict(sorted(Counter(result.ended or "UNSEEN" for result in results).items())),
        "paths": {path.value: {"orders": paths[path], "met": met[path]} for path in Path if paths[path]},
        "missed": [
            {"order_id": r.order_id, "path": r.path.value, "expected": r.expected, "ended": r.ended, "problem": r.problem}
            for r in missed
        ],
        "all_met": not missed,
    }
