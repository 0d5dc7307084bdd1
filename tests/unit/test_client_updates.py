"""How the client sends updates: under an id a repeat shares, and waiting its turn at a busy order."""

from datetime import timedelta
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from domain import keys
from domain.requests import CancellationOutcome, CancellationRequest, CancelReason, Verdict
from starter import client as client_module
from starter.client import OrdersClient
from starter.errors import OrderBusy

BUSY = RPCError("limit on number of concurrent in-flight updates has been reached (10)", RPCStatusCode.RESOURCE_EXHAUSTED, b"")
REQUEST = CancellationRequest(request_id="cs-1", reason=CancelReason.CUSTOMER)
OUTCOME = CancellationOutcome(request_id="cs-1", outcome=Verdict.ACCEPTED, message="being cancelled")


class Handle:
    """A workflow handle whose first `busy` updates meet Temporal's in-flight limit."""

    def __init__(self, busy: int) -> None:
        self.busy = busy
        self.calls: list[dict[str, Any]] = []

    async def execute_update(self, name: str, message: object, **options: Any) -> CancellationOutcome:
        self.calls.append({"name": name, **options})
        if len(self.calls) <= self.busy:
            raise BUSY
        return OUTCOME


def orders_with(handle: Handle) -> OrdersClient:
    orders = OrdersClient(client=None)  # type: ignore[arg-type]
    orders.handle = lambda order_id: handle  # type: ignore[assignment,method-assign,return-value]
    return orders


async def test_a_cancel_is_sent_under_the_update_id_of_its_request() -> None:
    handle = Handle(busy=0)

    assert await orders_with(handle).cancel("A1", REQUEST) == OUTCOME
    assert handle.calls[0]["id"] == keys.update_id("cancel", "cs-1", REQUEST)


async def test_a_busy_order_is_asked_again_until_it_answers() -> None:
    handle = Handle(busy=3)

    assert await orders_with(handle).cancel("A1", REQUEST) == OUTCOME
    assert len(handle.calls) == 4
    assert len({call["id"] for call in handle.calls}) == 1


async def test_an_order_busy_past_the_clients_patience_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "BUSY_PATIENCE", timedelta(seconds=0.2))

    with pytest.raises(OrderBusy, match="order A1 is busy"):
        await orders_with(Handle(busy=1_000)).cancel("A1", REQUEST)
