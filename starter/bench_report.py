"""The benchmark's figures: per path, and the ratio between the paths; and the machine they were measured on."""

import math
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table


@dataclass
class PathRun:
    """One path's figures: wall time over all orders, and per order its latency (place to done)."""

    name: str
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    updates: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(q * len(ordered)))) - 1]


def machine() -> str:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    model = "?"
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "?")
    except OSError:
        pass
    return f"nproc {usable} (of {cpus}) · {model} · Python {platform.python_version()} · load average {load_average()}"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(console: Console, runs: list[PathRun], orders: int, concurrency: int) -> None:
    table = Table(
        title=f"{orders} orders per path, {concurrency} in flight, one worker, dev server on SQLite (WAL)",
        caption="order = place to CANCELLED (cancel) or to label bought (forward); update = the cancel update's round-trip",
    )
    for column in ("path", "ok", "wall s", "orders/s", "order p50 s", "order p95 s", "update p50 ms", "update p95 ms"):
        table.add_column(column, justify="left" if column == "path" else "right")
    for run in runs:
        updates = [f"{percentile(run.updates, q) * 1000:.0f}" if run.updates else "-" for q in (0.5, 0.95)]
        latencies = [f"{percentile(run.latencies, q):.2f}" for q in (0.5, 0.95)]
        table.add_row(run.name, f"{len(run.latencies)}/{orders}", f"{run.wall:.2f}", f"{run.rate:.2f}", *latencies, *updates)
    cancel, forward = runs
    if cancel.latencies and forward.latencies:
        ratios = [percentile(cancel.latencies, q) / percentile(forward.latencies, q) for q in (0.5, 0.95)]
        walls, rates = cancel.wall / forward.wall, cancel.rate / forward.rate
        table.add_row("cancel / forward", "", f"{walls:.2f}", f"{rates:.2f}", *(f"{r:.2f}" for r in ratios), "", "")
    console.print(table)
    for run in runs:
        for failure in run.failures[:5]:
            console.print(f"[red]{run.name} failed[/red] {failure}", soft_wrap=True)
