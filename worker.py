"""Composition root: settings, logging, the adapters to the outside world, and the Temporal worker."""

import asyncio
import signal
from datetime import timedelta
from typing import Any

import httpx
import structlog
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from activities.carrier import CarrierActivities
from activities.carrier_http import HttpCarrier
from activities.inventory import InventoryActivities
from activities.inventory_faults import FaultyInventoryStore
from activities.inventory_sql import SqlInventoryStore
from activities.mail import MailActivities
from activities.mail_smtp import SmtpMailer
from activities.order_events import OrderEventActivities
from activities.order_events_http import HttpEventReceivers
from activities.payment import PaymentActivities
from activities.payment_http import HttpPaymentGateway
from runtime.activity_retries import LogRetriedSuccesses
from runtime.logs import configure_logging
from runtime.metrics import MetricsPortUnavailable, metrics_address, worker_runtime
from runtime.order_gauges import keep_order_gauges
from runtime.settings import Settings
from runtime.temporal import connect, register_search_attributes
from runtime.webhook_subscribers import parse_subscribers
from runtime.workflow_runner import workflow_runner
from starter.errors import BadSetting
from starter.faults import configured_faults
from workflows import search
from workflows.order import OrderWorkflow
from workflows.order_events import OrderEventsWorkflow

log = structlog.get_logger("worker")


def activity_methods(*instances: object) -> list[Any]:
    """Every @activity.defn method of the given activity objects, bound, so a new activity is never forgotten."""
    return [
        getattr(instance, name)
        for instance in instances
        for name in dir(type(instance))
        if hasattr(getattr(type(instance), name), "__temporal_activity_definition")
    ]


async def ensure_search_attributes(client: Client) -> None:
    """Register the search attributes this release upserts before taking any workflow task."""
    try:
        added = await register_search_attributes(client, search.ALL)
    except RPCError as error:
        if error.status not in (RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED):
            raise
        # Where workers may not administer the namespace (Temporal Cloud), an operator registers them.
        log.warning("worker.search_attributes_unchecked", error=error.message, needed=[key.name for key in search.ALL])
        return
    if added:
        log.info("worker.search_attributes_registered", added=added)


async def run_worker(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Poll the orders task queue until `stop` is set (forever without one), then drain gracefully."""
    stop = stop or asyncio.Event()
    try:
        runtime = worker_runtime(settings)
    except MetricsPortUnavailable as error:
        problem = f"{error}; another worker there? give this one another port"
        raise BadSetting("ORDERS_METRICS_HOST/ORDERS_METRICS_PORT", problem) from None
    client = await connect(settings, runtime=runtime)
    await ensure_search_attributes(client)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    faults = configured_faults(settings)
    inventory = SqlInventoryStore(settings.inventory_db_url)
    await inventory.create_schema()
    # Only when asked: the wrapper draws for every operation, and the worker reads faults at start only.
    store = FaultyInventoryStore(inventory, faults) if faults.table.fault("inventory").active else inventory
    try:
        async with (
            httpx.AsyncClient(base_url=settings.sandbox_url, timeout=10) as http,
            httpx.AsyncClient(timeout=10) as webhooks,
        ):
            subscribers = parse_subscribers(settings.webhook_subscribers)
            activities = activity_methods(
                OrderEventActivities(HttpEventReceivers(subscribers, webhooks)),
                PaymentActivities(HttpPaymentGateway(http)),
                InventoryActivities(store),
                CarrierActivities(HttpCarrier(http)),
                MailActivities(SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from)),
            )
            worker = Worker(
                client,
                task_queue=settings.task_queue,
                workflows=[OrderWorkflow, OrderEventsWorkflow],
                activities=activities,
                workflow_runner=workflow_runner(),
                graceful_shutdown_timeout=timedelta(seconds=10),
                interceptors=[LogRetriedSuccesses()],
            )
            every = timedelta(seconds=settings.metrics_gauge_interval_s)
            async with worker, asyncio.TaskGroup() as tasks:
                tasks.create_task(keep_order_gauges(client, runtime.metric_meter, stop, every=every))
                log.info(
                    "worker.started",
                    task_queue=settings.task_queue,
                    activities=len(activities),
                    metrics=f"http://{metrics_address(settings)}/metrics",
                )
                await stop.wait()
                log.info("worker.stopping")
    finally:
        await inventory.close()
    log.info("worker.stopped")


async def serve(settings: Settings) -> None:
    """run_worker until SIGINT or SIGTERM."""
    configure_logging(settings, service="worker")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_worker(settings, stop=stop)


def main() -> None:
    asyncio.run(serve(Settings()))


if __name__ == "__main__":
    main()
