"""Faults on demand in the HTTP stand-ins: an ASGI middleware that refuses, loses answers and delays, per endpoint.

The routes are matched here, by method and path, so the routers stay as they are; each matched
request draws its fate from the app's FaultInjector (`app.state.faults`, set through /admin/faults).
"""

import asyncio
import re
from typing import Any

import structlog
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.fault_injector import FaultInjector, Outcome
from runtime.fault_spec import Endpoint

log = structlog.get_logger("sandbox.faults")

_ID = r"[^/]+"
ROUTES: tuple[tuple[str, re.Pattern[str], Endpoint], ...] = tuple(
    (method, re.compile(pattern), endpoint)
    for method, pattern, endpoint in (
        ("POST", r"/v1/payment_intents", "payment.authorize"),
        ("POST", rf"/v1/payment_intents/{_ID}/capture", "payment.capture"),
        ("POST", rf"/v1/payment_intents/{_ID}/cancel", "payment.void"),
        ("POST", r"/v1/refunds", "payment.refund"),
        ("GET", rf"/v1/refunds/{_ID}", "payment.refund_status"),
        ("POST", r"/v1/customers/.+/credit", "payment.store_credit"),  # a customer id may hold a slash
        ("POST", r"/carrier/shipments", "carrier.label"),
        ("POST", rf"/carrier/shipments/{_ID}/void", "carrier.void"),
        ("POST", rf"/carrier/shipments/{_ID}/hold", "carrier.hold"),
        ("POST", rf"/carrier/shipments/{_ID}/release", "carrier.release"),
        ("POST", rf"/carrier/shipments/{_ID}/intercept", "carrier.intercept"),
    )
)

# Stripe-shaped 5xx answers: our adapters (activities.http_refusals) retry them like any outage.
_REFUSED = (503, "Service unavailable (fault injected): nothing was done; try again.")
_LOST = (502, "Bad gateway (fault injected): the request was carried out, but its answer was lost.")


def endpoint_of(method: str, path: str) -> Endpoint | None:
    return next((endpoint for m, pattern, endpoint in ROUTES if m == method and pattern.fullmatch(path)), None)


def _fault_reply(status: int, message: str, outcome: Outcome) -> JSONResponse:
    return JSONResponse({"error": {"type": "api_error", "code": f"fault_{outcome.value}", "message": message}}, status)


async def _discard(_: Message) -> None:
    """The lost answer goes nowhere."""


class FaultMiddleware:
    """Per faulted request: wait the latency; on `error` answer 503 before the app sees it; on `lost`
    let the app act and commit, throw its answer away and answer 502 instead."""

    def __init__(self, app: ASGIApp, faults: FaultInjector) -> None:
        self.app, self.faults = app, faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = endpoint_of(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        draw = self.faults.draw(endpoint)
        if draw.delay_seconds:
            await asyncio.sleep(draw.delay_seconds)
        if draw.outcome is Outcome.SERVED:
            await self.app(scope, receive, send)
            return
        if draw.outcome is Outcome.LOST:
            await self.app(scope, receive, _discard)
        status, message = _REFUSED if draw.outcome is Outcome.ERROR else _LOST
        log.info("fault.injected", endpoint=endpoint, fault=draw.outcome.value, path=scope["path"])
        await _fault_reply(status, message, draw.outcome)(scope, receive, send)


def faults_view(faults: FaultInjector) -> dict[str, Any]:
    """The table in force, as the admin route shows it: the spec, the seed, and every endpoint's fault."""
    table = faults.table
    return {
        "spec": table.spec(),
        "seed": faults.seed,
        "endpoints": {name: fault.model_dump() for name, fault in table.endpoints.items()},
    }
