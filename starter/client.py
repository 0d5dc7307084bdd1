"""A facade over the Temporal client that speaks orders: the CLI and the scenarios use only this."""

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain import keys, story
from domain.order import Order
from domain.payment_method import check_payment_token
from domain.placement import Identifier, PlaceOrder
from domain.requests import CancellationOutcome, CancellationRequest, CancellationReview, Resolution
from domain.shipment import ShipmentEvent
from runtime.client_config import SOURCE, ClientConfigError, address_setting, client_config
from runtime.codec import CodecKeyError
from runtime.settings import Settings
from runtime.temporal import connect
from runtime.webhook_subscribers import parse_subscribers
from starter.client_errors import translated
from starter.connect_errors import connect_failure
from starter.errors import BadSetting, CliError, OrderBusy, OrderExists
from starter.polling import wait_for_order
from workflows import search
from workflows.search import CUSTOMER_ID, ORDER_STATUS

# The contract with workflows/order.py, by name, so the command line needs no workflow code.
WORKFLOW = "OrderWorkflow"
# A query or update waits for a worker; without this bound a stopped worker hangs the CLI.
RPC_TIMEOUT = timedelta(seconds=15)
NONDETERMINISM = "[TMPRL1100]"  # the SDK's code for a history the workflow code does not replay
# How long an update waits its turn at a busy order (Temporal's limit of in-flight updates) before
# the caller is told to try again; the first waits are short because the limit clears in milliseconds.
BUSY_PATIENCE = timedelta(seconds=20)
BUSY_FIRST_WAIT = 0.05
BUSY_LONGEST_WAIT = 2.0

R = TypeVar("R")
# A customer id is quoted into a visibility query: only one that cannot end the quotes.
_IDENTIFIER = TypeAdapter(Identifier)


def workflow_id(order_id: str) -> str:
    return f"order-{order_id}"


class OrderSummary(BaseModel):
    order_id: str
    status: str
    customer_id: str
    execution: str
    started: datetime | None


def summary(execution: WorkflowExecution) -> OrderSummary:
    """One order as a visibility query lists it: from its search attributes, without asking its worker."""
    attributes = execution.typed_search_attributes
    return OrderSummary(
        order_id=execution.id.removeprefix("order-"),
        status=attributes.get(ORDER_STATUS) or "?",
        customer_id=attributes.get(CUSTOMER_ID) or "?",
        execution=execution.status.name if execution.status else "?",
        started=execution.start_time,
    )


class OrdersClient:
    """Orders as workflows: place, cancel, review, resolve, inspect, report shipment scans, wait for a state."""

    def __init__(
        self, client: Client, *, task_queue: str = "orders", address: str = "", event_subscribers: Sequence[str] = ()
    ) -> None:
        self.client = client
        self.address = address
        self._task_queue = task_queue
        # Stamped on every order placed, so the order knows (without reading any setting) whom to tell.
        self.event_subscribers = list(event_subscribers)

    @classmethod
    async def connect(cls, settings: Settings) -> "OrdersClient":
        try:
            config = client_config(settings)
        except ClientConfigError as error:
            raise BadSetting(SOURCE, error.problem) from None
        try:
            client = await connect(settings)
        except CodecKeyError as error:
            raise CliError(str(error)) from None
        except RuntimeError as error:
            raise connect_failure(config, error) from error
        except ValueError as error:  # the SDK's "invalid target URL": not an address at all
            raise BadSetting(f"{address_setting(settings)} {config['target_host']!r}", str(error)) from None
        subscribers = [subscriber.name for subscriber in parse_subscribers(settings.webhook_subscribers)]
        return cls(client, task_queue=settings.task_queue, address=config["target_host"], event_subscribers=subscribers)

    def handle(self, order_id: str) -> WorkflowHandle:
        return self.client.get_workflow_handle(workflow_id(order_id))

    async def place(self, command: PlaceOrder) -> str:
        try:
            check_payment_token(command.payment_method)  # also for callers that built a PlaceOrder, not a NewOrder
        except ValueError as error:
            raise CliError(f"invalid order: payment_method: {error}") from None
        command = command.model_copy(update={"event_subscribers": self.event_subscribers})
        try:
            await self.client.start_workflow(
                WORKFLOW,
                command,
                id=workflow_id(command.order_id),
                task_queue=self._task_queue,
                search_attributes=search.at_start(command),
                static_summary=story.summary(command),
                static_details=story.details(command),
            )
        except WorkflowAlreadyStartedError as error:
            raise OrderExists(command.order_id) from error
        return command.order_id

    async def cancel(self, order_id: str, request: CancellationRequest) -> CancellationOutcome:
        update_id = keys.update_id("cancel", request.request_id, request)
        return await self._update(order_id, "cancel", request, CancellationOutcome, update_id)

    async def review(self, order_id: str, review: CancellationReview) -> CancellationOutcome:
        """A person's APPROVE or DENY of a request awaiting review; answers the settled outcome."""
        update_id = keys.update_id("review", review.request_id, review)
        return await self._update(order_id, "review_cancellation", review, CancellationOutcome, update_id)

    async def resolve(self, order_id: str, resolution: Resolution) -> Order:
        """A person's way out of NEEDS_ATTENTION; answers the order once the workflow has taken it."""
        return await self._update(order_id, "resolve", resolution, Order, None)

    async def _update(self, order_id: str, name: str, message: Any, result_type: type[R], update_id: str | None) -> R:
        """Send an update, waiting its turn while the order is busy; with `update_id`, a repeat costs the order nothing."""
        deadline = time.monotonic() + BUSY_PATIENCE.total_seconds()
        wait = BUSY_FIRST_WAIT
        while True:
            try:
                async with translated(order_id, self.address):
                    return await self.handle(order_id).execute_update(
                        name, message, id=update_id, result_type=result_type, rpc_timeout=RPC_TIMEOUT
                    )
            except OrderBusy:
                if time.monotonic() + wait > deadline:
                    raise
            await asyncio.sleep(wait)
            wait = min(wait * 2, BUSY_LONGEST_WAIT)

    async def signal_cancel(self, order_id: str, request: CancellationRequest) -> None:
        async with translated(order_id, self.address):
            await self.handle(order_id).signal("request_cancellation", request)

    async def event(self, order_id: str, event: ShipmentEvent) -> None:
        async with translated(order_id, self.address):
            await self.handle(order_id).signal("shipment_event", event)

    async def temporal_cancel(self, order_id: str) -> None:
        async with translated(order_id, self.address):
            await self.handle(order_id).cancel()

    async def status(self, order_id: str) -> Order:
        async with translated(order_id, self.address):
            try:
                return await self.handle(order_id).query("status", result_type=Order, rpc_timeout=RPC_TIMEOUT)
            except WorkflowQueryFailedError as error:
                # A query replays the order's history on a worker; a completed order's view is also its
                # result, which needs no replay (one the workers cannot replay: starter/repair.py).
                if (final := await self._result_if_completed(order_id)) is not None:
                    return final
                if NONDETERMINISM in str(error):
                    raise CliError(f"the workers cannot replay order {order_id} ({error}): `orders repair {order_id}`") from error
                raise

    async def _result_if_completed(self, order_id: str) -> Order | None:
        handle = self.client.get_workflow_handle(workflow_id(order_id), result_type=Order)
        if (await handle.describe()).status is not WorkflowExecutionStatus.COMPLETED:
            return None
        return await handle.result(follow_runs=False)

    async def list(
        self, status: str | None = None, *, attention: bool = False, customer: str | None = None, limit: int = 50
    ) -> list[OrderSummary]:
        query = f'WorkflowType="{WORKFLOW}"' + (f' AND OrderStatus="{status}"' if status else "")
        query += " AND NeedsAttention=true" if attention else ""
        query += f' AND CustomerId="{_IDENTIFIER.validate_python(customer)}"' if customer else ""
        return [summary(execution) async for execution in self.client.list_workflows(query, limit=limit)]

    async def wait_for(
        self, order_id: str, predicate: Callable[[Order], bool], *, timeout: timedelta = timedelta(seconds=30)
    ) -> Order:
        """Poll the status query until `predicate` holds; TimeoutError names the last state seen."""
        return await wait_for_order(self.status, order_id, predicate, timeout)
