"""Prometheus metrics of an HTTP service (the stand-ins, the API): requests by route and status, and
their latency, served at GET /metrics.

Each app gets a registry of its own, so that building several apps in one process (the tests do)
never registers a metric twice.
"""

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest


def instrument(app: FastAPI, service: str) -> None:
    """Count `app`'s requests as `<service>_http_requests` and time them; serve them at /metrics."""
    registry = CollectorRegistry()
    requests = Counter(
        f"{service}_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(f"{service}_http_request_seconds", "time to answer an HTTP request", ["route"], registry=registry)

    async def measure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # The route's template (/v1/refunds/{refund_id}), not the path: one series per route, not per id.
        route = getattr(request.scope.get("route"), "path", "unmatched")
        requests.labels(request.method, route, str(response.status_code)).inc()
        latency.labels(route).observe(time.perf_counter() - started)
        return response

    app.middleware("http")(measure)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
