"""The stand-ins as one FastAPI app: payment gateway, carrier, and any extra routers the caller adds."""

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy import text

from runtime.fault_injector import FaultInjector
from runtime.http_metrics import instrument
from sandbox import carrier, fault_admin, intercept, payments, pickup_hold, refunds, store_credit
from sandbox.db import Database
from sandbox.faults import FaultMiddleware
from sandbox.tables import now
from sandbox.timing import Clock, Timing
from sandbox.wire import install_error_handlers

log = structlog.get_logger("sandbox")


async def _log_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    started = time.perf_counter()
    with structlog.contextvars.bound_contextvars(
        method=request.method, path=request.url.path, idempotency_key=request.headers.get("idempotency-key")
    ):
        try:
            response = await call_next(request)
        except Exception:
            log.exception("request failed")
            raise
        log.info(
            "request",
            status=response.status_code,
            replayed=response.headers.get("idempotent-replayed") == "true",
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response


def create_app(
    db_url: str,
    extra_routers: Sequence[APIRouter] = (),
    *,
    refund_settle_after: timedelta = timedelta(seconds=1),
    return_after: timedelta = timedelta(seconds=2),
    clock: Clock = now,
    faults: FaultInjector | None = None,
) -> FastAPI:
    """Build the sandbox over the SQLite file at `db_url` (e.g. `sqlite:///var/sandbox.db`).

    Tables are created here, not in a startup hook, because `httpx.ASGITransport` (the tests' way
    in) sends no lifespan events. The store is `app.state.database` for extra routers that want it.
    A refund settles `refund_settle_after` after its creation, an intercepted parcel is back with its
    sender `return_after` after the intercept, both as read from `clock` (see sandbox.timing).
    `faults` (none by default) decides which requests fail, lose their answer or wait (sandbox.faults);
    it is `app.state.faults`, changed at run time through /admin/faults.
    """
    database = Database(db_url)
    database.create_tables()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        database.engine.dispose()

    app = FastAPI(title="Order sandbox: payment gateway and carrier stand-ins", lifespan=lifespan)
    app.state.database = database
    app.state.timing = Timing(refund_settle_after=refund_settle_after, return_after=return_after, clock=clock)
    app.state.faults = faults or FaultInjector()
    install_error_handlers(app)
    # Added first so that it runs inside the request log, which then shows the injected answers.
    app.add_middleware(FaultMiddleware, faults=app.state.faults)
    app.middleware("http")(_log_request)
    instrument(app, "sandbox")
    routers = (payments.router, refunds.router, store_credit.router, carrier.router, intercept.router, pickup_hold.router)
    for router in (*routers, fault_admin.router, *extra_routers):
        app.include_router(router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with database.reading() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
