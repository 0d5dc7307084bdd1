"""Carrier intercepts: filed at once, decided by the parcel's stage and rule, answered as carrier events."""

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.carrier import CarrierActivities, CreateShipment, RequestIntercept, VoidLabel
from activities.carrier_http import CarrierRefused, HttpCarrier
from domain.placement import Address
from tests.activities.conftest import RETURN_AFTER, FakeClock

ORDER = "order-1"
ADDRESS = Address(name="Ada Lovelace", line1="12 St James's Square", city="London", postal_code="SW1Y 4JH",
                  country="GB")


@pytest.fixture
def carrier(sandbox: httpx.AsyncClient) -> HttpCarrier:
    return HttpCarrier(sandbox)


async def shipped(carrier: HttpCarrier, sandbox: httpx.AsyncClient, *scans: str, address: Address = ADDRESS) -> str:
    label = await carrier.create_shipment(
        CreateShipment(order_id=ORDER, address=address, parcel_units=1, idempotency_key=f"{ORDER}:shipment")
    )
    for scan in scans:
        (await sandbox.post(f"/carrier/shipments/{label.shipment_id}/scan", json={"event": scan})).raise_for_status()
    return label.shipment_id


def intercept(shipment_id: str, key: str = f"{ORDER}:intercept") -> RequestIntercept:
    return RequestIntercept(order_id=ORDER, shipment_id=shipment_id, idempotency_key=key)


async def reported(sandbox: httpx.AsyncClient, shipment_id: str) -> tuple[str, list[str]]:
    """The shipment's status and the events the carrier has reported so far, after its scans."""
    shipment = (await sandbox.get(f"/carrier/shipments/{shipment_id}")).json()
    scans = [scan["event"] for scan in shipment["scans"]]
    return shipment["status"], [event["type"] for event in shipment["events"]][len(scans):]


@pytest.mark.parametrize("stage", [("PICKED_UP",), ("PICKED_UP", "IN_TRANSIT")])
async def test_a_parcel_with_the_carrier_is_intercepted_and_returned_to_sender_only_once_due(
    carrier: HttpCarrier, sandbox: httpx.AsyncClient, clock: FakeClock, stage: tuple[str, ...]
):
    shipment_id = await shipped(carrier, sandbox, *stage)

    await carrier.request_intercept(intercept(shipment_id))
    at_once = await reported(sandbox, shipment_id)
    clock.advance(RETURN_AFTER)
    later = await reported(sandbox, shipment_id)

    assert at_once == ("INTERCEPTED", ["INTERCEPTED"])
    assert later == ("RETURNED_TO_SENDER", ["INTERCEPTED", "RETURNED_TO_SENDER"])


@pytest.mark.parametrize("stage", [("IN_TRANSIT", "OUT_FOR_DELIVERY"), ("IN_TRANSIT", "DELIVERED")])
async def test_a_parcel_out_for_delivery_or_delivered_is_not_intercepted(
    carrier: HttpCarrier, sandbox: httpx.AsyncClient, stage: tuple[str, ...]
):
    shipment_id = await shipped(carrier, sandbox, *stage)

    await carrier.request_intercept(intercept(shipment_id))

    assert await reported(sandbox, shipment_id) == (stage[-1], ["INTERCEPT_FAILED"])


async def test_a_parcel_to_postal_code_00000_is_never_intercepted(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    unreachable = ADDRESS.model_copy(update={"postal_code": "00000"})
    shipment_id = await shipped(carrier, sandbox, "IN_TRANSIT", address=unreachable)

    await carrier.request_intercept(intercept(shipment_id))

    assert await reported(sandbox, shipment_id) == ("IN_TRANSIT", ["INTERCEPT_FAILED"])


async def test_the_intercept_request_is_accepted_with_202_before_the_carrier_answers(
    carrier: HttpCarrier, sandbox: httpx.AsyncClient
):
    shipment_id = await shipped(carrier, sandbox, "IN_TRANSIT")

    response = await sandbox.post(f"/carrier/shipments/{shipment_id}/intercept", headers={"Idempotency-Key": "i-1"})

    assert response.status_code == 202
    assert (response.json()["id"], response.json()["status"]) == (shipment_id, "INTERCEPT_REQUESTED")


@pytest.mark.parametrize("voided", [False, True])
async def test_intercepting_a_parcel_never_scanned_or_voided_is_refused_as_nothing_to_intercept(
    carrier: HttpCarrier, voided: bool
):
    label = await carrier.create_shipment(
        CreateShipment(order_id=ORDER, address=ADDRESS, parcel_units=1, idempotency_key=f"{ORDER}:shipment")
    )
    if voided:
        await carrier.void_label(VoidLabel(order_id=ORDER, shipment_id=label.shipment_id, idempotency_key="v-1"))

    with pytest.raises(CarrierRefused) as refused:
        await carrier.request_intercept(intercept(label.shipment_id))

    assert refused.value.code == "nothing_to_intercept"


async def test_asking_again_for_an_intercepted_parcel_changes_nothing(
    carrier: HttpCarrier, sandbox: httpx.AsyncClient, clock: FakeClock
):
    shipment_id = await shipped(carrier, sandbox, "IN_TRANSIT")
    await carrier.request_intercept(intercept(shipment_id))

    await carrier.request_intercept(intercept(shipment_id, key=f"{ORDER}:intercept:r-2"))
    await carrier.request_intercept(intercept(shipment_id))
    clock.advance(RETURN_AFTER)

    assert await reported(sandbox, shipment_id) == ("RETURNED_TO_SENDER", ["INTERCEPTED", "RETURNED_TO_SENDER"])


async def test_an_intercepted_parcel_takes_no_further_scans(carrier: HttpCarrier, sandbox: httpx.AsyncClient):
    shipment_id = await shipped(carrier, sandbox, "IN_TRANSIT")
    await carrier.request_intercept(intercept(shipment_id))

    response = await sandbox.post(f"/carrier/shipments/{shipment_id}/scan", json={"event": "DELIVERED"})

    assert response.status_code == 409
    assert response.json()["error"]["type"] == "parcel_intercepted"


async def test_the_activity_turns_nothing_to_intercept_into_a_non_retryable_application_error(carrier: HttpCarrier):
    label = await carrier.create_shipment(
        CreateShipment(order_id=ORDER, address=ADDRESS, parcel_units=1, idempotency_key=f"{ORDER}:shipment")
    )

    with pytest.raises(ApplicationError) as failure:
        await ActivityEnvironment().run(CarrierActivities(carrier).request_intercept, intercept(label.shipment_id))

    assert (failure.value.type, failure.value.non_retryable) == ("CarrierRefused", True)
