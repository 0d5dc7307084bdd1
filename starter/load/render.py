"""A load's figures and verdict for the terminal (`--json` prints the same dict as it is)."""

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from starter.load.figures import QUANTILES

SHOWN_MISSES = 20


def spread_row(name: str, spread: dict[str, Any], unit: str) -> list[str]:
    return [name, str(spread["count"]), *(f"{spread[q]:g} {unit}" if q in spread else "-" for q in QUANTILES)]


def timings(figures: dict[str, Any]) -> Table:
    table = Table(title=f"{figures['orders']} orders in {figures['seconds']:g} s: {figures['orders_per_s']:g} orders/s")
    for column in ("measured", "count", *QUANTILES):
        table.add_column(column, justify="left" if column == "measured" else "right")
    table.add_row(*spread_row("cancel/review update", figures["cancel_update_ms"], "ms"))
    for stage, spread in figures["stages_s"].items():
        if spread["count"]:
            table.add_row(*spread_row(f"placed -> {stage}", spread, "s"))
    return table


def endings(figures: dict[str, Any]) -> Table:
    table = Table(title="paths and end states")
    for column in ("path", "orders", "in expected end", "end state", "orders"):
        table.add_column(column, justify="left" if column in ("path", "end state") else "right")
    paths, states = list(figures["paths"].items()), list(figures["end_states"].items())
    for row in range(max(len(paths), len(states))):
        path, counts = paths[row] if row < len(paths) else ("", {})
        state, count = states[row] if row < len(states) else ("", "")
        met = Text(f"{counts['met']}", style="green" if counts["met"] == counts["orders"] else "bold red") if counts else Text("")
        table.add_row(path, str(counts.get("orders", "")), met, state, str(count))
    return table


def misses(figures: dict[str, Any]) -> Table:
    table = Table(title=f"{len(figures['missed'])} order(s) not in their expected end state")
    for column in ("order", "path", "expected", "ended", "problem"):
        table.add_column(column, overflow="fold")
    for miss in figures["missed"][:SHOWN_MISSES]:
        table.add_row(miss["order_id"] or "-", miss["path"], miss["expected"], miss["ended"] or "-", miss["problem"])
    return table


def audit_line(audit: dict[str, Any]) -> Text:
    if audit["clean"]:
        return Text(f"audit: clean ({audit['orders']} orders, every store agrees)", style="bold green")
    broken = ", ".join(f"{rule} {count}" for rule, count in audit["rules"].items() if count)
    return Text(f"audit: {audit['violations']} violation(s) over {audit['orders']} orders: {broken}", style="bold red")


def verdict(figures: dict[str, Any]) -> Group:
    parts: list[Any] = [timings(figures), endings(figures)]
    if figures["missed"]:
        parts.append(misses(figures))
    parts.append(audit_line(figures["audit"]))
    met = figures["orders"] - len(figures["missed"])
    word = "CLEAN" if figures["clean"] else "FAILED"
    line = f"verdict: {word}: {met} of {figures['orders']} orders in their expected end state"
    parts.append(Text(line, style="bold green" if figures["clean"] else "bold red"))
    return Group(*parts)
