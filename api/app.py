"""The API as one FastAPI app; OpenAPI at /docs."""

import time
from collections.abc import Callable

from fastapi import FastAPI

from api import carrier_webhook, errors, listing, metrics, order_routes
from api.connection import Connect, Connection
from api.store import ApiStore
from runtime.settings import Settings
from starter.client import OrdersClient


def api_store(settings: Settings) -> ApiStore:
    return ApiStore(settings.var_dir / "api.db")


def create_app(
    settings: Settings, *, connect: Connect = OrdersClient.connect, clock: Callable[[], float] = time.time
) -> FastAPI:
    """The API over `settings` (Temporal, var_dir); `clock` is what webhook timestamps are checked against."""
    app = FastAPI(
        title="Orders API",
        description="Place, view, list and cancel orders; customer service's reviews and resolutions; carrier webhooks. "
        "Authenticate with `Authorization: Bearer <key>`; each key belongs to one role.",
    )
    app.state.settings, app.state.clock = settings, clock
    app.state.store = api_store(settings)
    app.state.connection = Connection(settings, connect)
    errors.install(app)
    metrics.install(app)
    for router in (order_routes.router, listing.router, carrier_webhook.router):
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
