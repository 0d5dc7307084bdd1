"""The worker's Prometheus endpoint: the SDK's metrics and the business's, from one Temporal runtime.

The Temporal runtime serves everything its meters record at http://HOST:PORT/metrics: the SDK's own
(temporal_workflow_completed, temporal_activity_execution_latency, ...), what workflows record
through `workflow.metric_meter()` (workflows/metrics.py) and the gauges runtime.order_gauges sets.
"""

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from runtime.settings import Settings
from workflows.metrics import COMPENSATION_LATENCY

# Milliseconds: undoing an order takes seconds when nothing waits, days when a refund or a parcel does.
_SECOND, _HOUR = 1_000, 3_600_000
COMPENSATION_BUCKETS_MS = [_SECOND, 5 * _SECOND, 30 * _SECOND, 60 * _SECOND, 600 * _SECOND, _HOUR, 24 * _HOUR, 7 * 24 * _HOUR]


def metrics_address(settings: Settings) -> str:
    return f"{settings.metrics_host}:{settings.metrics_port}"


class MetricsPortUnavailable(ValueError):
    """The worker cannot serve its metrics where it was told to (a port taken, a host not of this machine)."""


def worker_runtime(settings: Settings) -> Runtime:
    """A Temporal runtime that serves Prometheus metrics on the configured port."""
    prometheus = PrometheusConfig(
        bind_address=metrics_address(settings),
        histogram_bucket_overrides={COMPENSATION_LATENCY: [float(bucket) for bucket in COMPENSATION_BUCKETS_MS]},
    )
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
    except ValueError as error:  # "Failed starting Prometheus exporter: Address already in use (os error 98)"
        raise MetricsPortUnavailable(f"{metrics_address(settings)}: {error}") from None
