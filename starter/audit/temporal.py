"""The audit's reader of Temporal: every OrderWorkflow in visibility, its `status` view and the policy it was placed with."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import WorkflowExecution, WorkflowExecutionStatus, WorkflowQueryFailedError
from temporalio.service import RPCError

from domain.order import Order
from domain.placement import PlaceOrder
from domain.policy import Policy
from starter.client import WORKFLOW, OrdersClient
from starter.errors import CliError
from workflows.search import ORDER_STATUS

# Queries to closed orders replay them on a worker: a few at a time keeps the worker answering the live ones.
CONCURRENT_QUERIES = 8


@dataclass(frozen=True)
class Seen:
    """What Temporal says of one order: its view (or why there is none), its workflow and its policy."""

    order_id: str
    view: Order | None
    unseen: str
    listed_status: str | None
    running: bool
    started: datetime
    policy: Policy


async def read_orders(orders: OrdersClient) -> list[Seen]:
    """Every order workflow, the runs of one (continue-as-new) taken together."""
    runs: dict[str, list[WorkflowExecution]] = {}
    async for execution in orders.client.list_workflows(f'WorkflowType="{WORKFLOW}"'):
        runs.setdefault(execution.id, []).append(execution)
    gate = asyncio.Semaphore(CONCURRENT_QUERIES)

    async def one(executions: Sequence[WorkflowExecution]) -> Seen:
        async with gate:
            return await _read_order(orders, executions)

    return list(await asyncio.gather(*(one(executions) for executions in runs.values())))


async def _read_order(orders: OrdersClient, executions: Sequence[WorkflowExecution]) -> Seen:
    first = min(executions, key=lambda e: e.start_time)
    latest = max(executions, key=lambda e: e.start_time)
    order_id = first.id.removeprefix("order-")
    view, unseen = None, ""
    try:
        view = await orders.status(order_id)
    except (CliError, RPCError, WorkflowQueryFailedError) as error:
        # e.g. a workflow an operator terminated before its first task: it has no view to give.
        unseen = str(error)
    return Seen(
        order_id=order_id,
        view=view,
        unseen=unseen,
        listed_status=latest.typed_search_attributes.get(ORDER_STATUS),
        running=latest.status is WorkflowExecutionStatus.RUNNING,
        started=first.start_time,
        policy=await _policy(orders, first),
    )


async def _policy(orders: OrdersClient, first: WorkflowExecution) -> Policy:
    """The policy in the order's input, as placed (the first run's input is the PlaceOrder)."""
    handle = orders.client.get_workflow_handle(first.id, run_id=first.run_id)
    async for event in handle.fetch_history_events(page_size=1):
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        [command] = await orders.client.data_converter.decode(list(payloads), [PlaceOrder])
        return command.policy
    return Policy()
