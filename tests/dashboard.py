"""The metrics the provisioned Grafana dashboard (deploy/grafana/dashboards/orders.json) queries."""

import json
import re
from pathlib import Path
from typing import Any

DASHBOARD = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "dashboards" / "orders.json"
# Every series name the product emits starts so; PromQL's functions and labels do not.
_METRIC = re.compile(r"\b((?:orders|temporal|sandbox)_[a-z0-9_]+)")
_HISTOGRAM_SERIES = re.compile(r"_(bucket|count|sum)$")


def load() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def expressions(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def queried_metrics(dashboard: dict[str, Any]) -> set[str]:
    """The metric names the panels query, a histogram's _bucket/_count/_sum series named by the histogram."""
    return {_HISTOGRAM_SERIES.sub("", name) for expr in expressions(dashboard) for name in _METRIC.findall(expr)}
