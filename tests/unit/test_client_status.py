"""How the client reads an order's view: the `status` query, or a completed order's result when no
worker can replay the order's history to answer the query (starter/repair.py tells how that happens)."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowQueryFailedError

from domain.order import Order
from starter.client import OrdersClient
from starter.errors import CliError
from tests.unit.factories import Stage, order_at

NO_REPLAY = WorkflowQueryFailedError("[TMPRL1100] Nondeterminism error: Update machine does not handle this event")


@dataclass
class Handle:
    order: Order
    replays: bool
    status: WorkflowExecutionStatus
    asked: list[str] = field(default_factory=list)

    async def query(self, name: str, **_: Any) -> Order:
        self.asked.append("query")
        if not self.replays:
            raise NO_REPLAY
        return self.order

    # The real handle's keywords only (temporalio.client.WorkflowHandle), so that a call the SDK
    # would refuse fails here too.
    async def describe(self, *, rpc_metadata: Any = None, rpc_timeout: Any = None) -> Any:
        self.asked.append("describe")
        return type("Description", (), {"status": self.status})()

    async def result(self, *, follow_runs: bool = True, rpc_metadata: Any = None, rpc_timeout: Any = None) -> Order:
        self.asked.append("result")
        return self.order


@dataclass
class Client:
    handle: Handle
    result_types: list[type] = field(default_factory=list)

    def get_workflow_handle(self, workflow_id: str, *, result_type: type) -> Handle:
        self.result_types.append(result_type)
        return self.handle


def orders_with(handle: Handle) -> OrdersClient:
    orders = OrdersClient(client=Client(handle))  # type: ignore[arg-type]
    orders.handle = lambda order_id: handle  # type: ignore[assignment,method-assign,return-value]
    return orders


async def test_the_view_is_the_status_query_when_a_worker_answers_it() -> None:
    handle = Handle(order_at(Stage.COMPLETED), replays=True, status=WorkflowExecutionStatus.RUNNING)

    assert await orders_with(handle).status("A1") == handle.order
    assert handle.asked == ["query"]


async def test_a_completed_order_no_worker_can_replay_is_read_from_its_result() -> None:
    handle = Handle(order_at(Stage.COMPLETED), replays=False, status=WorkflowExecutionStatus.COMPLETED)
    orders = orders_with(handle)

    assert await orders.status("A1") == handle.order
    assert handle.asked == ["query", "describe", "result"] and orders.client.result_types == [Order]  # type: ignore[attr-defined]


async def test_a_running_order_no_worker_can_replay_is_one_line_naming_the_repair_not_a_stale_view() -> None:
    handle = Handle(order_at(Stage.COMPLETED), replays=False, status=WorkflowExecutionStatus.RUNNING)

    with pytest.raises(CliError, match=r"the workers cannot replay order A1 .*`orders repair A1`"):
        await orders_with(handle).status("A1")
