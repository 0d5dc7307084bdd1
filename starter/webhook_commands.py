"""`orders webhooks`: find the orders whose events fail to reach a subscriber, and have them tried again now."""

from datetime import timedelta
from typing import Annotated

import typer
from temporalio.client import RPCTimeoutOrCancelledError, WorkflowExecution, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.event_delivery import Deliveries, told
from domain.order_events import EVENTS_WORKFLOW_PREFIX, events_workflow_id
from runtime.settings import Settings
from starter import inputs
from starter.client import RPC_TIMEOUT, OrdersClient
from starter.client_errors import translated
from starter.console import out
from starter.errors import CliError
from starter.guard import OrdersApp, guarded
from workflows.search import WEBHOOK_FAILING

# The contract with workflows/order_events.py, by name, so the command line needs no workflow code.
WORKFLOW = "OrderEventsWorkflow"

QUERY_TIMEOUT = timedelta(seconds=5)

app = OrdersApp(help="Order events out (webhooks): failing subscribers, and retrying them.", no_args_is_help=True)


def failing_query(subscriber: str | None) -> str:
    """The visibility query for delivery workflows with a failing subscriber (this one, or any)."""
    query = f'WorkflowType="{WORKFLOW}" AND ExecutionStatus="Running"'
    return query + (f' AND {WEBHOOK_FAILING.name}="{subscriber}"' if subscriber else f" AND {WEBHOOK_FAILING.name} IS NOT NULL")


async def _line(orders: OrdersClient, execution: WorkflowExecution) -> str:
    names = execution.typed_search_attributes.get(WEBHOOK_FAILING) or []
    order_id = execution.id.removeprefix(EVENTS_WORKFLOW_PREFIX)
    return f"{order_id}\t{','.join(names)}\t{await _how(orders, execution.id)}"


async def _how(orders: OrdersClient, workflow_id: str) -> str:
    """Each failing subscriber's state, from the delivery's `progress` query; empty when no worker answers."""
    try:
        deliveries = await orders.client.get_workflow_handle(workflow_id).query(
            "progress", result_type=Deliveries, rpc_timeout=QUERY_TIMEOUT
        )
    except (RPCError, RPCTimeoutOrCancelledError, WorkflowQueryFailedError):
        return ""
    return "; ".join(told(progress) for progress in deliveries.subscribers if progress.failing or progress.dead)


@app.command()
def failing(
    subscriber: Annotated[str | None, typer.Option(help="only orders failing this subscriber")] = None,
    limit: Annotated[int, typer.Option(min=1, help="at most this many orders")] = 100,
) -> None:
    """List the orders whose events a subscriber does not take (retrying, or given up after three days), one a line:
    ORDER_ID<TAB>SUBSCRIBERS<TAB>how each fails."""

    async def act() -> None:
        if subscriber is not None:
            inputs.require_order_id(subscriber)  # the same characters as an id: nothing to escape in the query
        orders = await OrdersClient.connect(Settings())
        listed = orders.client.list_workflows(failing_query(subscriber), limit=limit)
        found = [await _line(orders, execution) async for execution in listed]
        for line in found:
            print(line)
        if not found:
            out.print("no order's events are failing", style="dim")

    guarded(act)


@app.command()
def resume(order_id: str) -> None:
    """Try the order's failing or given-up subscribers again now (another three days of retries)."""

    async def act() -> None:
        inputs.require_order_id(order_id)
        orders = await OrdersClient.connect(Settings())
        handle = orders.client.get_workflow_handle(events_workflow_id(order_id))
        try:
            async with translated(order_id, orders.address):
                resumed = await handle.execute_update("resume", result_type=list[str], rpc_timeout=RPC_TIMEOUT)
        except CliError as error:
            cause = error.__cause__
            if isinstance(cause, RPCError) and cause.status is RPCStatusCode.NOT_FOUND:
                raise CliError(f"order {order_id} has no event deliveries under way (unknown order, or all delivered)") from None
            raise
        print(f"retrying now: {', '.join(resumed)}" if resumed else f"no subscriber of order {order_id} is failing")

    guarded(act)
