"""HttpCarrier against the carrier stand-in (the `sandbox` fixture: tests/activities/conftest.py)."""

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.carrier import CarrierActivities, CreateShipment, LabelNotVoidable, VoidLabel
from activities.carrier_http import CarrierRefused, HttpCarrier
from domain.placement import Address

ORDER = "order-1"
ADDRESS = Address(
    name="Ada Lovelace", line1="12 St James's Square", city="London", postal_code="SW1Y 4JH", country="GB"
)


@pytest.fixture
def carrier(sandbox: httpx.AsyncClient) -> HttpCarrier:
    return HttpCarrier(sandbox)


def shipment(key: str = f"{ORDER}:shipment") -> CreateShipment:
    return CreateShipment(order_id=ORDER, address=ADDRESS, parcel_units=3, idempotency_key=key)


def void(shipment_id: str, key: str = f"{ORDER}:void-label") -> VoidLabel:
    return VoidLabel(order_id=ORDER, shipment_id=shipment_id, idempotency_key=key)


async def scan(sandbox: httpx.AsyncClient, shipment_id: str, event: str) -> httpx.Response:
    return await sandbox.post(f"/carrier/shipments/{shipment_id}/scan", json={"event": event})


async def test_create_shipment_buys_a_label(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    label = await carrier.create_shipment(shipment())

    printed = await sandbox.get(label.label_url)

    assert label.tracking_number in printed.text
    assert (await sandbox.get(f"/carrier/shipments/{label.shipment_id}")).json()["status"] == "LABEL_CREATED"


async def test_replaying_create_shipment_returns_the_same_label(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    first = await carrier.create_shipment(shipment())

    again = await carrier.create_shipment(shipment())

    assert again == first
    assert len((await sandbox.get("/carrier/shipments", params={"order_id": ORDER})).json()["data"]) == 1


async def test_void_label_before_the_first_scan_voids_it(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    label = await carrier.create_shipment(shipment())

    await carrier.void_label(void(label.shipment_id))

    assert (await sandbox.get(f"/carrier/shipments/{label.shipment_id}")).json()["status"] == "VOIDED"


async def test_voiding_a_voided_label_again_succeeds(carrier: HttpCarrier):
    label = await carrier.create_shipment(shipment())
    await carrier.void_label(void(label.shipment_id))

    await carrier.void_label(void(label.shipment_id, key=f"{ORDER}:cancel-request-2:void-label"))


@pytest.mark.parametrize("event", ["PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"])
async def test_void_after_a_scan_raises_label_not_voidable(
    carrier: HttpCarrier, sandbox: httpx.AsyncClient, event: str
):
    label = await carrier.create_shipment(shipment())
    await scan(sandbox, label.shipment_id, event)

    with pytest.raises(LabelNotVoidable):
        await carrier.void_label(void(label.shipment_id))

    assert (await sandbox.get(f"/carrier/shipments/{label.shipment_id}")).json()["status"] == event


async def test_voiding_an_unknown_shipment_is_refused(carrier: HttpCarrier):
    with pytest.raises(CarrierRefused) as refused:
        await carrier.void_label(void("shp_missing"))

    assert refused.value.code == "resource_missing"


async def test_a_voided_label_cannot_be_scanned(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    label = await carrier.create_shipment(shipment())
    await carrier.void_label(void(label.shipment_id))

    response = await scan(sandbox, label.shipment_id, "PICKED_UP")

    assert response.status_code == 409
    assert response.json()["error"]["type"] == "label_voided"


async def test_scans_may_skip_a_stage_but_never_go_back(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    label = await carrier.create_shipment(shipment())

    skipped = await scan(sandbox, label.shipment_id, "IN_TRANSIT")
    backwards = await scan(sandbox, label.shipment_id, "PICKED_UP")

    assert skipped.status_code == 200
    assert backwards.status_code == 409
    assert backwards.json()["error"]["type"] == "scan_out_of_order"
    assert [s["event"] for s in skipped.json()["scans"]] == ["IN_TRANSIT"]


async def test_creating_a_shipment_without_an_idempotency_key_is_rejected(sandbox: httpx.AsyncClient):
    body = {"order_id": ORDER, "address": ADDRESS.model_dump(), "parcel_units": 1}

    response = await sandbox.post("/carrier/shipments", json=body)

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


async def test_a_parcel_count_too_large_to_store_is_refused_with_a_reason(carrier: HttpCarrier):
    too_many = shipment().model_copy(update={"parcel_units": 2**63})

    with pytest.raises(CarrierRefused) as refused:
        await carrier.create_shipment(too_many)

    assert refused.value.code == "invalid_request_error"
    assert "body.parcel_units" in str(refused.value)


@pytest.mark.parametrize(
    ("address", "param"),
    [
        ({**ADDRESS.model_dump(), "name": "A" * 201}, "body.address.name"),
        ({**ADDRESS.model_dump(), "phone": "+44 20 7946 0000"}, "body.address.phone"),
    ],
)
async def test_an_address_with_an_oversized_or_unknown_field_is_refused_naming_it(
    sandbox: httpx.AsyncClient, address: dict, param: str
):
    body = {"order_id": ORDER, "address": address, "parcel_units": 1}

    response = await sandbox.post("/carrier/shipments", json=body, headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


async def test_the_activity_turns_label_not_voidable_into_a_non_retryable_application_error(
    carrier: HttpCarrier, sandbox: httpx.AsyncClient
):
    label = await carrier.create_shipment(shipment())
    await scan(sandbox, label.shipment_id, "PICKED_UP")

    with pytest.raises(ApplicationError) as failure:
        await ActivityEnvironment().run(CarrierActivities(carrier).void_label, void(label.shipment_id))

    assert failure.value.type == "LabelNotVoidable"
    assert failure.value.non_retryable
