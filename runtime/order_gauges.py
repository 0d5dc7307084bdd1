"""How many orders wait for a person, as gauges set from Temporal's visibility store.

A gauge that workflows move up and down is wrong as soon as a worker restarts (its count starts
again from zero while the orders still wait) or a task runs twice; counters of "entered" and
"left" summed over workers break the same way. Visibility knows, for every running order, whether
it needs attention or has a request awaiting review (the NeedsAttention and PendingCancellation
search attributes the workflow keeps current), so each worker asks it every `every` and sets the
gauge. Several workers report the same numbers: the dashboard takes their max.
"""

import asyncio
from datetime import timedelta

import structlog
from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.service import RPCError

from workflows.search import NEEDS_ATTENTION, PENDING_CANCELLATION

log = structlog.get_logger("order_gauges")

RUNNING_ORDERS = 'WorkflowType = "OrderWorkflow" AND ExecutionStatus = "Running"'
QUERIES = {
    "orders_needing_attention": (f"{RUNNING_ORDERS} AND {NEEDS_ATTENTION.name} = true", "running orders in NEEDS_ATTENTION"),
    "orders_awaiting_review": (
        f'{RUNNING_ORDERS} AND {PENDING_CANCELLATION.name} = "PENDING_REVIEW"',
        "running orders with a cancellation request awaiting review",
    ),
}


async def keep_order_gauges(client: Client, meter: MetricMeter, stop: asyncio.Event, *, every: timedelta) -> None:
    """Set each gauge from its visibility count now and every `every`, until `stop` is set."""
    gauges = {name: meter.create_gauge(name, description) for name, (_, description) in QUERIES.items()}
    while not stop.is_set():
        for name, (query, _) in QUERIES.items():
            try:
                gauges[name].set((await client.count_workflows(query)).count)
            except RPCError as error:  # the server away a moment: keep the last value, ask again next time
                log.warning("order_gauges.count_failed", gauge=name, error=error.message)
        try:
            await asyncio.wait_for(stop.wait(), every.total_seconds())
        except TimeoutError:
            pass
