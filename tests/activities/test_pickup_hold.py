"""Pickup holds at the carrier stand-in: a held parcel is not collected until it is released."""

import httpx
import pytest

from activities.carrier import HoldPickup, ReleasePickup
from activities.carrier_http import HttpCarrier
from tests.activities.test_carrier import ORDER, scan, shipment, void


@pytest.fixture
def carrier(sandbox: httpx.AsyncClient) -> HttpCarrier:
    return HttpCarrier(sandbox)


def hold(shipment_id: str, key: str = f"{ORDER}:hold_pickup:r-1") -> HoldPickup:
    return HoldPickup(order_id=ORDER, shipment_id=shipment_id, idempotency_key=key)


def release(shipment_id: str, key: str = f"{ORDER}:release_pickup:r-1") -> ReleasePickup:
    return ReleasePickup(order_id=ORDER, shipment_id=shipment_id, idempotency_key=key)


async def test_a_held_parcel_takes_no_scan_until_it_is_released(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    label = await carrier.create_shipment(shipment())

    held = await carrier.hold_pickup(hold(label.shipment_id))
    refused = await scan(sandbox, label.shipment_id, "PICKED_UP")
    await carrier.release_pickup(release(label.shipment_id))
    collected = await scan(sandbox, label.shipment_id, "PICKED_UP")

    assert held is True
    assert refused.status_code == 409 and refused.json()["error"]["type"] == "pickup_on_hold"
    assert collected.status_code == 200 and collected.json()["pickup_on_hold"] is False


async def test_holding_a_parcel_the_carrier_has_is_too_late_not_an_error(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    label = await carrier.create_shipment(shipment())
    (await scan(sandbox, label.shipment_id, "PICKED_UP")).raise_for_status()

    held = await carrier.hold_pickup(hold(label.shipment_id))

    assert held is False


async def test_a_held_parcels_label_can_still_be_voided(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    label = await carrier.create_shipment(shipment())
    await carrier.hold_pickup(hold(label.shipment_id))

    await carrier.void_label(void(label.shipment_id))

    assert (await sandbox.get(f"/carrier/shipments/{label.shipment_id}")).json()["status"] == "VOIDED"


async def test_holds_and_releases_replay_under_their_keys(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    label = await carrier.create_shipment(shipment())

    assert await carrier.hold_pickup(hold(label.shipment_id)) is True
    await carrier.release_pickup(release(label.shipment_id))
    again = await sandbox.post(f"/carrier/shipments/{label.shipment_id}/hold",
                               headers={"Idempotency-Key": f"{ORDER}:hold_pickup:r-1"})

    assert again.headers.get("idempotent-replayed") == "true"
    assert (await sandbox.get(f"/carrier/shipments/{label.shipment_id}")).json()["pickup_on_hold"] is False
