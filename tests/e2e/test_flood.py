"""An order flooded with 5,000 cancel updates, repeats and distinct ones, several at a time, stays
correct and answering, and no run of it comes near Temporal's limits (50,000 events, 2,000 updates).

The distinct requests come through our client, which sends each under its update id; the repeats
come from a careless client that sends them with none, so each reaches the order and grows its
history, as a buggy storefront's retries would."""

import asyncio

import pytest
from temporalio.client import Client

from domain.cancellation import MOST_REQUESTS
from domain.lifecycle import OrderStatus
from domain.requests import CancellationOutcome, CancellationRequest, CancelReason, RequestedBy, Verdict
from starter.client import OrdersClient, workflow_id
from starter.errors import CliError
from starter.system import System
from tests.e2e.conftest import orders

pytestmark = pytest.mark.e2e

UPDATES = 5_000
AT_ONCE = 10


def request(n: int) -> CancellationRequest:
    return CancellationRequest(request_id=f"flood-{n}", reason=CancelReason.CUSTOMER, requested_by=RequestedBy.CUSTOMER)


async def history_lengths(client: Client, order_id: str) -> list[int]:
    """The number of events of every run the order has had."""
    lengths = []
    async for run in client.list_workflows(f'WorkflowId="{workflow_id(order_id)}"'):
        history = await client.get_workflow_handle(run.id, run_id=run.run_id).fetch_history()
        lengths.append(len(history.events))
    return lengths


async def test_a_flood_of_cancel_updates_leaves_the_order_correct_answering_and_its_runs_short(system: System) -> None:
    order_id = orders(system.settings, "place", "--sku", "MUG-BLUE:1:1250", "--window", "600").stdout.strip()
    client = await OrdersClient.connect(system.settings)
    await client.wait_for(order_id, lambda o: o.status is OrderStatus.CONFIRMED)
    careless = client.client.get_workflow_handle(workflow_id(order_id))
    answers: dict[int, CancellationOutcome] = {}
    refused: list[int] = []

    async def new_request(n: int) -> None:
        try:
            answers[n] = await client.cancel(order_id, request(n))
        except CliError as error:
            assert "the most one order takes" in str(error), error
            refused.append(n)

    async def repeat(n: int) -> None:
        outcome = await careless.execute_update("cancel", request(n), result_type=CancellationOutcome)
        assert outcome == answers[n], f"request flood-{n} got two answers"

    await new_request(0)
    for start in range(AT_ONCE, UPDATES, AT_ONCE):
        # Half of each batch new requests, half repeats of requests answered in earlier batches.
        batch = range(start, start + AT_ONCE)
        answered = sorted(answers)
        await asyncio.gather(*(new_request(n) if n % 2 == 0 else repeat(answered[n % len(answered)]) for n in batch))
    order = await client.status(order_id)
    lengths = await history_lengths(client.client, order_id)

    assert answers.pop(0).outcome is Verdict.ACCEPTED
    assert {a.outcome for a in answers.values()} == {Verdict.REJECTED}
    assert len(answers) + 1 == MOST_REQUESTS and len(refused) == (UPDATES - AT_ONCE) // 2 + 1 - MOST_REQUESTS
    assert order.status is OrderStatus.CANCELLED and not order.money.holds_authorization
    assert order.captured_minor == 0 and len(order.cancellations) == MOST_REQUESTS
    assert len(lengths) > 1, "the order never continued as a new run"
    assert max(lengths) < 5_000, lengths
