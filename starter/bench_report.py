"""The benchmark's figures: gathered into one dict (the --json output), shown as a table, and written as Markdown."""

import math
import os
import platform
import resource
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from starter.bench_history import RunCost
from starter.bench_paths import PathRun

GOALS = {
    "orchestration_ratio_forward": ">= 0.85",
    "orchestration_ratio_cancel": ">= 0.85",
    "cancel_update_ms.p50": "<= 30",
    "cancel_update_ms.p99": "<= 150",
    "history_events.happy_path": "<= 60",
    "history_events.cancel_after_capture": "<= 80",
    "history_events.cancel_in_transit": "<= 100",
    "idle_orders_rss_mb": "<= 500",
}

# Reported beside the goals.
MORE = [
    "end_to_end_ratio_forward",
    "orchestration_cpu_ratio_forward",
    "orchestration_cpu_ratio_cancel",
    "cancel_update_ms.p95",
    "bare_cancel_update_ms.p50",
    "bare_cancel_update_ms.p99",
    "saturated_cancel_update_ms.p50",
    "saturated_cancel_update_ms.p99",
    "bare_saturated_cancel_update_ms.p50",
    "bare_saturated_cancel_update_ms.p99",
    "idle_orders",
    "idle_orders_started_per_s",
    "idle_orders_rss_growth_mb",
    "throughput_with_idle_orders_ratio",
    "peak_rss_mb.bench_process",
    "peak_rss_mb.system_worker",
]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(q * len(ordered)))) - 1]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


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


def own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ms(values: list[float], q: float) -> float:
    return round(percentile(values, q) * 1000, 1)


def path_figures(run: PathRun, cost: RunCost | None, runs: int) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "ok": len(run.latencies),
        "of": runs,
        "orders_per_s": round(run.rate, 2),
        "latency_s": {"p50": round(percentile(run.latencies, 0.5), 3), "p95": round(percentile(run.latencies, 0.95), 3)},
        "cpu_s_per_1000": round(run.cpu / max(1, len(run.latencies)) * 1000, 1),
        "failures": run.failures[:5],
    }
    if run.updates:
        figures["update_ms"] = {"p50": _ms(run.updates, 0.5), "p95": _ms(run.updates, 0.95), "p99": _ms(run.updates, 0.99)}
    if cost is not None:
        figures["history"] = cost.__dict__
    return figures


def ratio(ours: PathRun, bare: PathRun) -> float:
    return round(ours.rate / bare.rate, 3) if bare.rate else float("nan")


def cpu_ratio(ours: PathRun, bare: PathRun) -> float:
    """The bare twin's CPU per order over ours: steadier than orders/s on a machine others load."""
    mine, theirs = ours.cpu / max(1, len(ours.latencies)), bare.cpu / max(1, len(bare.latencies))
    return round(theirs / mine, 3) if mine else float("nan")


def show(console: Console, figures: dict[str, Any]) -> None:
    title = f"{figures['orders']} runs per path, {figures['concurrency']} in flight, one worker, dev server on SQLite (WAL)"
    table = Table(title=title)
    columns = ("path", "ok", "orders/s", "p50 s", "p95 s", "update p50/p99 ms", "events", "actions", "payload B", "cpu s/1000")
    for column in columns:
        table.add_column(column, justify="left" if column == "path" else "right")
    for name, path in figures["paths"].items():
        history, update = path.get("history", {}), path.get("update_ms")
        table.add_row(
            name, f"{path['ok']}/{path['of']}", f"{path['orders_per_s']:.2f}",
            f"{path['latency_s']['p50']:.3f}", f"{path['latency_s']['p95']:.3f}",
            f"{update['p50']:.0f} / {update['p99']:.0f}" if update else "-",
            str(history.get("events", "-")), str(history.get("actions", "-")), str(history.get("payload_bytes", "-")),
            f"{path['cpu_s_per_1000']:.0f}",
        )  # fmt: skip
    console.print(table)
    for key, goal in [*GOALS.items(), *((key, "-") for key in MORE)]:
        console.print(f"{key:40} {lookup(figures, key)!s:>10}   goal {goal}")
    for name, path in figures["paths"].items():
        for failure in path["failures"]:
            console.print(f"[red]{name} failed[/red] {failure}", soft_wrap=True, markup=False)


def lookup(figures: dict[str, Any], dotted: str) -> Any:
    value: Any = figures
    for part in dotted.split("."):
        value = value.get(part, "-") if isinstance(value, dict) else "-"
    return value


TRIED = "## What was tried"


def tried_section(report: Path) -> str:
    """The report's hand-written "What was tried" section, from its heading on, kept when the figures are rewritten."""
    text = report.read_text() if report.exists() else ""
    start = text.find(TRIED)
    return text[start:] if start >= 0 else ""


def markdown(figures: dict[str, Any], tried: str = "") -> str:
    lines = [
        "# Benchmark: what an order costs on top of Temporal",
        "",
        f"Measured {figures['when']} by `make bench` on: {figures['machine']}.",
        f"{figures['orders']} runs per path, {figures['concurrency']} in flight (the flowing paths: "
        f"{2 * figures['orders']} orders at {figures['rate']:g}/s), one worker, dev server on SQLite (WAL).",
        "Ratios are taken within this one run (the machine is shared and noisy); absolute figures differ by machine.",
        "",
        "| figure | measured | goal |",
        "|---|---|---|",
        *(f"| `{key}` | {lookup(figures, key)} | {goal} |" for key, goal in GOALS.items()),
        *(f"| `{key}` | {lookup(figures, key)} | reported beside |" for key in MORE),
        "",
        "| path | ok | orders/s | p50 s | p95 s | update p50/p99 ms | events | workflow tasks | actions | payload bytes "
        "| cpu s / 1000 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, path in figures["paths"].items():
        history, update = path.get("history", {}), path.get("update_ms")
        cells = [
            name, f"{path['ok']}/{path['of']}", path["orders_per_s"], path["latency_s"]["p50"], path["latency_s"]["p95"],
            f"{update['p50']} / {update['p99']}" if update else "-",
            history.get("events", "-"), history.get("workflow_tasks", "-"), history.get("actions", "-"),
            history.get("payload_bytes", "-"), path["cpu_s_per_1000"],
        ]  # fmt: skip
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    lines += ["", *(f"- {note}" for note in figures["notes"]), ""]
    return "\n".join(lines) + ("\n" + tried if tried else "")
