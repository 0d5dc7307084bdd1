"""`orders sandbox`: the third parties' stand-ins (payment, carrier, mail) in one process, and reading their mailbox."""

import asyncio
import contextlib
import signal
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog
import uvicorn

from activities.inventory_sql import SqlInventoryStore
from runtime.logs import configure_logging
from runtime.settings import Settings
from runtime.webhook_subscribers import parse_subscribers
from sandbox.app import create_app
from sandbox.carrier_events import Forwarder
from sandbox.carrier_webhook import CarrierWebhook
from sandbox.mailbox import Mailbox, mail_router, smtp_controller
from sandbox.receiver import install_receiver
from starter.errors import CliError, SandboxUnreachable
from starter.faults import configured_faults

log = structlog.get_logger("sandbox")

# Enough of each to place demo orders by hand right after `make run`.
DEMO_STOCK = {"MUG-BLUE": 100, "TEE-M": 100, "BOOK-42": 100}


def sandbox_db_url(settings: Settings) -> str:
    return f"sqlite:///{settings.var_dir / 'sandbox.db'}"


def mailbox_db_url(settings: Settings) -> str:
    return f"sqlite:///{settings.var_dir / 'mailbox.db'}"


class _Server(uvicorn.Server):
    # uvicorn re-raises the signal it caught after shutdown, which would kill the process
    # before the SMTP server and the stores are closed; serve() handles signals instead.
    def capture_signals(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


async def seed_demo_stock(settings: Settings) -> None:
    """Give the demo skus stock the first time only: a restart must not undo orders' reservations."""
    store = SqlInventoryStore(settings.inventory_db_url)
    try:
        await store.create_schema()
        for sku, units in DEMO_STOCK.items():
            if (await store.levels(sku)).total == 0:
                await store.set_stock(sku, units)
    finally:
        await store.close()


async def serve(settings: Settings) -> None:
    """Serve the HTTP stand-ins and the SMTP mailbox, and forward the carrier's events, until SIGINT or SIGTERM."""
    configure_logging(settings, service="sandbox")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    faults = configured_faults(settings)
    await seed_demo_stock(settings)
    mailbox = Mailbox(mailbox_db_url(settings))
    app = create_app(sandbox_db_url(settings), extra_routers=[mail_router(mailbox)], faults=faults)
    install_receiver(app, parse_subscribers(settings.webhook_subscribers))
    url = urlsplit(settings.sandbox_url)
    server = _Server(uvicorn.Config(app, host=url.hostname or "127.0.0.1", port=url.port or 80, log_config=None))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, setattr, server, "should_exit", True)
    controller = smtp_controller(mailbox, settings.smtp_host, settings.smtp_port, faults)
    controller.start()
    # The carrier's webhook to the orders API: it backs off while the API is not up, so it may start later.
    webhook = CarrierWebhook(f"{settings.api_url}/webhooks/carrier", settings.carrier_webhook_secret)
    stop_forwarding = asyncio.Event()
    forwarding = asyncio.create_task(Forwarder(app.state.database, webhook).run(stop_forwarding))
    log.info("sandbox.started", http=settings.sandbox_url, smtp=f"{settings.smtp_host}:{settings.smtp_port}",
             faults=faults.table.spec(), fault_seed=faults.seed)
    try:
        await server.serve()
    finally:
        stop_forwarding.set()
        await forwarding
        await webhook.close()
        controller.stop()
        log.info("sandbox.stopped")


async def fetch_mail(settings: Settings, order_id: str | None = None) -> list[dict[str, Any]]:
    params = {"order_id": order_id} if order_id else {}
    async with httpx.AsyncClient(base_url=settings.sandbox_url, timeout=10) as http:
        try:
            response = await http.get("/mail", params=params)
        except httpx.TransportError:
            raise SandboxUnreachable(settings.sandbox_url) from None
    if response.status_code != 200:
        raise CliError(f"the sandbox mailbox answered {response.status_code}: {response.text[:200]}")
    return response.json()  # the mailbox's messages, oldest first
