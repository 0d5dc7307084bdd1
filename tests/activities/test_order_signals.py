"""The Forwarder over real Temporal: events reach the order's workflow as the `shipment_event` signal,
and an order with no workflow is NOT_FOUND, which dead-letters its events."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from temporalio import workflow
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.carrier import CreateShipment
from activities.carrier_http import HttpCarrier
from domain.placement import Address
from domain.shipment import ShipmentEvent, ShipmentEventType
from runtime.settings import Settings
from sandbox.carrier_events import Forwarder
from sandbox.order_signals import TemporalSignals
from sandbox.tables import CarrierEvent
from tests.activities.conftest import FakeClock
from tests.temporal_envs import local_server

ADDRESS = Address(name="Ada Lovelace", line1="12 St James's Square", city="London", postal_code="SW1Y 4JH",
                  country="GB")


@workflow.defn
class ShipmentEventSink:
    """Stands in for the order workflow: takes its `shipment_event` signal, with its argument type."""

    def __init__(self) -> None:
        self._events: list[ShipmentEvent] = []

    @workflow.run
    async def run(self, expected: int) -> list[ShipmentEvent]:
        await workflow.wait_condition(lambda: len(self._events) >= expected)
        return self._events

    @workflow.signal
    def shipment_event(self, event: ShipmentEvent) -> None:
        self._events.append(event)


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    env = await local_server()
    yield env
    await env.shutdown()


@pytest.fixture
def signals(env: WorkflowEnvironment) -> TemporalSignals:
    settings = Settings(
        temporal_address=env.client.service_client.config.target_host, temporal_namespace=env.client.namespace
    )
    return TemporalSignals(settings)


async def scanned(sandbox: httpx.AsyncClient, order_id: str, *scans: str) -> None:
    label = await HttpCarrier(sandbox).create_shipment(
        CreateShipment(order_id=order_id, address=ADDRESS, parcel_units=1, idempotency_key=f"{order_id}:shipment")
    )
    for scan in scans:
        (await sandbox.post(f"/carrier/shipments/{label.shipment_id}/scan", json={"event": scan})).raise_for_status()


async def test_scans_reach_the_orders_workflow_and_an_order_without_one_is_dead_lettered(
    env: WorkflowEnvironment, signals: TemporalSignals, app: FastAPI, sandbox: httpx.AsyncClient, clock: FakeClock
):
    order_id, gone = f"o-{uuid.uuid4().hex[:8]}", f"gone-{uuid.uuid4().hex[:8]}"
    task_queue = f"sink-{uuid.uuid4().hex[:8]}"
    await scanned(sandbox, order_id, "PICKED_UP", "IN_TRANSIT")
    await scanned(sandbox, gone, "PICKED_UP")
    forwarder = Forwarder(app.state.database, signals, clock=clock)

    async with Worker(env.client, task_queue=task_queue, workflows=[ShipmentEventSink],
                      workflow_runner=UnsandboxedWorkflowRunner()):
        handle = await env.client.start_workflow(
            ShipmentEventSink.run, 2, id=f"order-{order_id}", task_queue=task_queue
        )
        delivered = await forwarder.deliver_pending()
        events = await handle.result()

    assert delivered == 2
    assert [(event.type, event.at) for event in events] == [
        (ShipmentEventType.PICKED_UP, clock.now), (ShipmentEventType.IN_TRANSIT, clock.now)
    ]
    with app.state.database.reading() as session:
        dead = session.scalars(select(CarrierEvent).where(CarrierEvent.order_id == gone)).one()
        assert dead.dead_letter is not None
        assert dead.delivered_at is not None


async def test_signalling_an_order_that_has_no_workflow_is_not_found(signals: TemporalSignals):
    with pytest.raises(RPCError) as failure:
        await signals("no-such-order", {"type": "PICKED_UP", "at": None, "tracking_number": None})

    assert failure.value.status == RPCStatusCode.NOT_FOUND


async def test_temporal_not_up_yet_is_a_failed_send_and_the_next_call_connects_again():
    signals = TemporalSignals(Settings(temporal_address="127.0.0.1:1"))

    for _ in range(2):
        with pytest.raises(RuntimeError, match="connect"):
            await signals("o-1", {"type": "PICKED_UP"})
