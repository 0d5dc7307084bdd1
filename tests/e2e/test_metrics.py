"""The worker's Prometheus endpoint shows the SDK's metrics and the business's moving as orders run."""

import re
import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from starter.client import OrdersClient
from starter.system import System
from tests import dashboard
from tests.e2e.conftest import orders
from tests.e2e.test_cli import assert_one_line_error, order_file
from tests.waiting import until

pytestmark = pytest.mark.e2e
HISTOGRAM_SERIES = re.compile(r"_(bucket|count|sum|created)$")


def scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every sample on the page, by the name the endpoint gives it: (labels, value)."""
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(httpx.get(url, timeout=5).text):
        for sample in family.samples:
            # The parser names a counter's samples NAME_total; the SDK's endpoint (and Prometheus) say NAME.
            name = family.name if family.type == "counter" else sample.name
            samples.setdefault(name, []).append((sample.labels, sample.value))
    return samples


def total(samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(value for found, value in samples.get(name, []) if labels.items() <= found.items())


async def test_an_order_cancelled_by_its_customer_moves_the_business_and_sdk_metrics(system: System) -> None:
    url = f"http://127.0.0.1:{system.metrics_port(1)}/metrics"
    before = scrape(url)
    placed = orders(system.settings, "place", "--file", str(order_file(system)))
    order_id = placed.stdout.strip()

    cancelled = orders(system.settings, "cancel", order_id, "--reason", "customer", "--request-id", "metrics-1")
    await (await OrdersClient.connect(system.settings)).handle(order_id).result()  # answer_period 0: it ends

    assert placed.returncode == 0 and cancelled.returncode == 0, placed.stderr + cancelled.stderr
    accepted = {"reason": "CUSTOMER", "stage": "CONFIRMED", "outcome": "ACCEPTED"}

    def moved() -> bool:
        after = scrape(url)
        return (
            total(after, "orders_placed", currency="EUR") > total(before, "orders_placed", currency="EUR")
            and total(after, "orders_cancellations", **accepted) > total(before, "orders_cancellations", **accepted)
            and total(after, "orders_compensation_latency_count") > total(before, "orders_compensation_latency_count")
            and total(after, "temporal_workflow_completed", workflow_type="OrderWorkflow")
            > total(before, "temporal_workflow_completed", workflow_type="OrderWorkflow")
        )

    await until(moved, what="orders_placed, orders_cancellations and temporal_workflow_completed to move", timeout=30)


async def cancel_after_capture(system: System) -> None:
    """An order captured, then cancelled by customer service: refunded to the card, CANCELLED."""
    placed = orders(system.settings, "place", "--sku", "MUG-BLUE:1:1250", "--window", "0", "--currency", "EUR")
    order_id = placed.stdout.strip()
    client = await OrdersClient.connect(system.settings)
    await client.wait_for(order_id, lambda order: order.captured_minor > 0)
    cancelled = orders(system.settings, "cancel", order_id, "--reason", "staff", "--by", "customer_service")
    assert cancelled.returncode == 0, cancelled.stderr
    await client.wait_for(order_id, lambda order: order.status == "CANCELLED" and order.refunded_minor > 0)


async def test_a_refund_after_capture_is_counted_as_money_back_to_the_card(system: System) -> None:
    url = f"http://127.0.0.1:{system.metrics_port(1)}/metrics"
    before = scrape(url)

    await cancel_after_capture(system)

    card = {"currency": "EUR", "destination": "card"}
    await until(
        lambda: total(scrape(url), "orders_money_back_minor", **card) > total(before, "orders_money_back_minor", **card),
        what="orders_money_back_minor to count the refund",
        timeout=30,
    )


async def test_the_worker_reports_orders_waiting_for_a_person_from_visibility(system: System) -> None:
    url = f"http://127.0.0.1:{system.metrics_port(1)}/metrics"

    await until(
        lambda: {"orders_needing_attention", "orders_awaiting_review"} <= scrape(url).keys(),
        what="the gauges of orders waiting for a person",
        timeout=30,
    )


async def test_every_metric_the_dashboard_queries_is_served_once_orders_ran(system: System) -> None:
    worker = f"http://127.0.0.1:{system.metrics_port(1)}/metrics"
    sandbox = f"{system.settings.sandbox_url}/metrics"

    await cancel_after_capture(system)

    def served() -> set[str]:
        return {HISTOGRAM_SERIES.sub("", name) for url in (worker, sandbox) for name in scrape(url)}

    await until(lambda: dashboard.queried_metrics(dashboard.load()) <= served(), what="every dashboard metric", timeout=30)


def test_a_worker_whose_metrics_port_is_taken_names_the_setting_in_one_line(system: System) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        result = orders(system.settings.model_copy(update={"metrics_port": port}), "worker", timeout=60)

    assert_one_line_error(result, f"invalid ORDERS_METRICS_HOST/ORDERS_METRICS_PORT: 127.0.0.1:{port}: ")
