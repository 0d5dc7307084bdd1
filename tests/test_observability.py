"""Prometheus and Grafana in docker-compose.yml, checked by reading them (no Docker here): what they
scrape and show exists, and names what the product emits. tests/e2e/test_metrics.py checks the live side."""

import copy
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from runtime.order_gauges import QUERIES
from starter.system import temporal_binary
from tests import dashboard
from tests.test_compose import ROOT, Compose, environment
from workflows import metrics

PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA = ROOT / "deploy" / "grafana" / "provisioning"
PRODUCT_METRICS = {metrics.PLACED, metrics.CANCELLATIONS, metrics.MONEY_BACK, metrics.COMPENSATION_LATENCY, *QUERIES}


@pytest.fixture(scope="module")
def compose() -> Compose:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def bind_mounts(compose: Compose) -> list[tuple[str, Path, str]]:
    """(service, host path, container path) of every mount of a file or folder of this repository."""
    mounts = []
    for name, service in compose["services"].items():
        for volume in service.get("volumes") or []:
            source, target = volume.split(":")[:2]
            if source.startswith("."):
                mounts.append((name, ROOT / source, target))
    return mounts


def missing_mounted_files(compose: Compose) -> list[str]:
    return [f"{name} mounts {path}, which does not exist" for name, path, _ in bind_mounts(compose) if not path.exists()]


def scrape_targets(config: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(job, host, port) of every target, whether listed or found through DNS."""
    targets = []
    for job in config["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, port = target.rsplit(":", 1)
                targets.append((job["job_name"], host, int(port)))
        for dns in job.get("dns_sd_configs", []):
            targets += [(job["job_name"], name, int(dns["port"])) for name in dns["names"]]
    return targets


def unreachable_scrape_targets(compose: Compose, config: dict[str, Any]) -> list[str]:
    """Targets that name no service, or a port the product does not serve its metrics on."""
    services = compose["services"]
    served = {
        "worker": int(environment(services["worker"])["ORDERS_METRICS_PORT"]),
        "sandbox": urlsplit(environment(services["sandbox"])["ORDERS_SANDBOX_URL"]).port,
        "temporal": int(environment(services["temporal"])["PROMETHEUS_ENDPOINT"].rsplit(":", 1)[1]),
        "api": int(environment(services["api"])["ORDERS_API_PORT"]),
    }
    return [
        f"job {job} scrapes {host}:{port}"
        for job, host, port in scrape_targets(config)
        if host not in services or served.get(host) != port
    ]


def unknown_product_metrics(board: dict[str, Any]) -> list[str]:
    """Business metrics the dashboard queries that neither the workflow nor the worker's gauges emit."""
    return sorted(name for name in dashboard.queried_metrics(board) if name.startswith("orders_") and name not in PRODUCT_METRICS)


def test_every_file_compose_mounts_is_in_the_repository(compose):
    assert bind_mounts(compose) != []
    assert missing_mounted_files(compose) == []


def test_prometheus_scrapes_each_service_on_the_port_it_serves_metrics_on(compose):
    config = yaml.safe_load(PROMETHEUS.read_text())

    assert {job for job, _, _ in scrape_targets(config)} >= {"worker", "sandbox", "temporal", "api"}
    assert unreachable_scrape_targets(compose, config) == []
    assert environment(compose["services"]["worker"])["ORDERS_METRICS_HOST"] == "0.0.0.0"


def test_grafana_reads_prometheus_and_provisions_the_dashboard_from_where_compose_mounts_it(compose):
    datasource = yaml.safe_load((GRAFANA / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    provider = yaml.safe_load((GRAFANA / "dashboards" / "orders.yml").read_text())["providers"][0]
    mounted = {path: target for name, path, target in bind_mounts(compose) if name == "grafana"}

    assert urlsplit(datasource["url"]).hostname == "prometheus" and "prometheus" in compose["services"]
    assert mounted[dashboard.DASHBOARD.parent] == provider["options"]["path"]
    assert mounted[GRAFANA] == "/etc/grafana/provisioning"


def test_the_dashboards_panels_query_the_business_metrics_through_the_provisioned_datasource():
    board = dashboard.load()
    datasource = yaml.safe_load((GRAFANA / "datasources" / "prometheus.yml").read_text())["datasources"][0]

    assert len({panel["id"] for panel in board["panels"]}) == len(board["panels"])
    assert {panel["datasource"]["uid"] for panel in board["panels"]} == {datasource["uid"]}
    assert dashboard.queried_metrics(board) >= PRODUCT_METRICS
    assert unknown_product_metrics(board) == []


def test_compose_runs_the_temporal_release_of_the_dev_server_make_run_starts(compose):
    version = subprocess.run([temporal_binary(), "--version"], capture_output=True, text=True, check=True).stdout
    server = re.search(r"Server (\d+\.\d+\.\d+)", version)
    images = {name: service.get("image", "") for name, service in compose["services"].items()}

    assert server is not None, version
    assert images["temporal"] == f"temporalio/server:{server.group(1)}"
    assert images["temporal-schema"] == images["temporal-setup"] == f"temporalio/admin-tools:{server.group(1)}"
    assert not any("auto-setup" in image for image in images.values())


def test_the_ui_asks_the_codec_server_to_decode(compose):
    assert environment(compose["services"]["temporal-ui"])["TEMPORAL_CODEC_ENDPOINT"].startswith("http://")


@pytest.mark.parametrize(
    "break_it",
    [
        lambda c, p, b: c["services"]["grafana"]["volumes"].append("./deploy/nowhere:/x"),
        lambda c, p, b: p["scrape_configs"][0]["dns_sd_configs"][0].update(port=9999),
        lambda c, p, b: p["scrape_configs"][1]["static_configs"][0].update(targets=["ghost:8088"]),
        lambda c, p, b: b["panels"][0]["targets"][0].update(expr="rate(orders_placd[5m])"),
    ],
)
def test_each_check_catches_a_broken_setup(compose, break_it):
    broken_compose, config, board = copy.deepcopy(compose), yaml.safe_load(PROMETHEUS.read_text()), dashboard.load()

    break_it(broken_compose, config, board)

    problems = missing_mounted_files(broken_compose) + unreachable_scrape_targets(broken_compose, config)
    assert problems + unknown_product_metrics(board) != []
