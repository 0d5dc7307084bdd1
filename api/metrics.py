"""`/metrics` for Prometheus, and the access log: each request counted by route and status, logged without its key."""

import time
from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

log = structlog.get_logger("api")


def install(app: FastAPI) -> None:
    # A registry per app, so that two apps in one process (the tests) each count their own.
    registry = CollectorRegistry()
    requests = Counter("orders_api_requests", "API requests by route and status", ["method", "route", "status"],
                       registry=registry)

    @app.middleware("http")
    async def count(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        # The route's template, not the path: one series for every order id.
        template = getattr(route, "path", "unmatched")
        requests.labels(request.method, template, str(response.status_code)).inc()
        role = getattr(request.state, "role", None)
        log.info("api.request", method=request.method, route=template, status=response.status_code,
                 role=role.value if role else None, ms=round((time.perf_counter() - started) * 1000, 1))
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
