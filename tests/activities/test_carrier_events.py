"""The carrier's webhook: events written with each change, forwarded in order to the order workflows."""

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from activities.carrier import CreateShipment, RequestIntercept
from activities.carrier_http import HttpCarrier
from domain.placement import Address
from domain.shipment import ShipmentEvent
from sandbox.carrier_events import Forwarder, Undeliverable
from sandbox.tables import CarrierEvent
from tests.activities.conftest import RETURN_AFTER, FakeClock

ADDRESS = Address(name="Ada Lovelace", line1="12 St James's Square", city="London", postal_code="SW1Y 4JH",
                  country="GB")


@dataclass
class Workflows:
    """The receiving end of the webhook: what each order received, and the failures to inject."""

    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    failures: list[Exception | None] = field(default_factory=list)  # one per call, in order; None: succeed
    missing: set[str] = field(default_factory=set)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def signal(self, event_id: str, order_id: str, payload: dict[str, Any]) -> None:
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure
        if order_id in self.missing:
            raise Undeliverable(f"HTTP 404: order {order_id} not found")
        self.event_ids.append(event_id)
        self.received.append((order_id, payload))
        self.arrived.set()

    def types(self) -> list[str]:
        return [payload["type"] for _, payload in self.received]

    async def until_received(self, count: int) -> None:
        while len(self.received) < count:
            self.arrived.clear()
            await self.arrived.wait()


@pytest.fixture
def workflows() -> Workflows:
    return Workflows()


@pytest.fixture
def forwarder(app: FastAPI, workflows: Workflows, clock: FakeClock) -> Forwarder:
    return Forwarder(app.state.database, workflows.signal, clock=clock)


async def shipment(sandbox: httpx.AsyncClient, order_id: str, *scans: str) -> tuple[str, str]:
    label = await HttpCarrier(sandbox).create_shipment(
        CreateShipment(order_id=order_id, address=ADDRESS, parcel_units=1, idempotency_key=f"{order_id}:shipment")
    )
    for scan in scans:
        (await sandbox.post(f"/carrier/shipments/{label.shipment_id}/scan", json={"event": scan})).raise_for_status()
    return label.shipment_id, label.tracking_number


async def test_every_scan_is_reported_to_its_order_as_a_shipment_event_in_order(
    sandbox: httpx.AsyncClient, forwarder: Forwarder, workflows: Workflows, clock: FakeClock
):
    _, tracking = await shipment(sandbox, "order-1", "PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")

    delivered = await forwarder.deliver_pending()

    assert delivered == 4
    assert workflows.received[0] == (
        "order-1", {"type": "PICKED_UP", "at": clock.now.isoformat(), "tracking_number": tracking}
    )
    assert workflows.types() == ["PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]
    assert ShipmentEvent.model_validate(workflows.received[-1][1]).at == clock.now


async def test_a_delivered_event_is_not_sent_again(
    sandbox: httpx.AsyncClient, forwarder: Forwarder, workflows: Workflows
):
    await shipment(sandbox, "order-1", "PICKED_UP")
    await forwarder.deliver_pending()

    again = await forwarder.deliver_pending()

    assert (again, workflows.types()) == (0, ["PICKED_UP"])


async def test_a_failed_send_leaves_that_event_and_the_later_ones_for_the_next_pass(
    sandbox: httpx.AsyncClient, forwarder: Forwarder, workflows: Workflows
):
    await shipment(sandbox, "order-1", "PICKED_UP", "IN_TRANSIT", "DELIVERED")
    workflows.failures = [None, ConnectionError("Temporal is unreachable")]

    with pytest.raises(ConnectionError):
        await forwarder.deliver_pending()
    first_pass = workflows.types()
    retried = await forwarder.deliver_pending()

    assert first_pass == ["PICKED_UP"]
    assert (retried, workflows.types()) == (2, ["PICKED_UP", "IN_TRANSIT", "DELIVERED"])


async def test_each_event_carries_its_own_id_for_the_receiver_to_deduplicate_by(
    sandbox: httpx.AsyncClient, forwarder: Forwarder, workflows: Workflows
):
    _, tracking = await shipment(sandbox, "order-1", "PICKED_UP", "IN_TRANSIT")

    await forwarder.deliver_pending()

    assert len(set(workflows.event_ids)) == 2
    assert all(event_id.startswith(f"evt_{tracking}_") for event_id in workflows.event_ids)


async def test_an_order_without_a_workflow_is_dead_lettered_and_does_not_hold_up_the_others(
    app: FastAPI, sandbox: httpx.AsyncClient, forwarder: Forwarder, workflows: Workflows
):
    await shipment(sandbox, "order-gone", "PICKED_UP")
    await shipment(sandbox, "order-1", "PICKED_UP")
    workflows.missing = {"order-gone"}

    delivered = await forwarder.deliver_pending()

    assert (delivered, workflows.received[0][0]) == (1, "order-1")
    with app.state.database.reading() as session:
        gone = session.scalars(select(CarrierEvent).where(CarrierEvent.order_id == "order-gone")).one()
        assert gone.delivered_at is not None
        assert "undeliverable to order order-gone: HTTP 404" in (gone.dead_letter or "")
    assert await forwarder.deliver_pending() == 0


async def test_returned_to_sender_is_reported_only_once_the_parcel_is_back(
    sandbox: httpx.AsyncClient, forwarder: Forwarder, workflows: Workflows, clock: FakeClock
):
    shipment_id, _ = await shipment(sandbox, "order-1", "IN_TRANSIT")
    await HttpCarrier(sandbox).request_intercept(
        RequestIntercept(order_id="order-1", shipment_id=shipment_id, idempotency_key="order-1:intercept")
    )
    intercepted_at = clock.now

    await forwarder.deliver_pending()
    before = workflows.types()
    clock.advance(RETURN_AFTER - timedelta(milliseconds=1))
    await forwarder.deliver_pending()
    just_before = workflows.types()
    clock.advance(timedelta(milliseconds=1))
    await forwarder.deliver_pending()

    assert before == just_before == ["IN_TRANSIT", "INTERCEPTED"]
    assert workflows.types() == ["IN_TRANSIT", "INTERCEPTED", "RETURNED_TO_SENDER"]
    assert workflows.received[-1][1]["at"] == (intercepted_at + RETURN_AFTER).isoformat()


async def test_an_intercept_refusal_is_reported_as_intercept_failed(
    sandbox: httpx.AsyncClient, forwarder: Forwarder, workflows: Workflows
):
    shipment_id, _ = await shipment(sandbox, "order-1", "IN_TRANSIT", "OUT_FOR_DELIVERY")
    await HttpCarrier(sandbox).request_intercept(
        RequestIntercept(order_id="order-1", shipment_id=shipment_id, idempotency_key="order-1:intercept")
    )

    await forwarder.deliver_pending()

    assert workflows.types() == ["IN_TRANSIT", "OUT_FOR_DELIVERY", "INTERCEPT_FAILED"]


async def test_running_forwards_until_stopped_and_recovers_from_a_failed_send(
    sandbox: httpx.AsyncClient, forwarder: Forwarder, workflows: Workflows
):
    await shipment(sandbox, "order-1", "PICKED_UP", "IN_TRANSIT")
    workflows.failures = [RuntimeError("Failed client connect")]
    stop = asyncio.Event()
    running = asyncio.create_task(forwarder.run(stop, interval=timedelta(0)))

    await asyncio.wait_for(workflows.until_received(2), timeout=10)
    stop.set()
    await asyncio.wait_for(running, timeout=10)

    assert workflows.types() == ["PICKED_UP", "IN_TRANSIT"]
