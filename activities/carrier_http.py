"""The Carrier port over the carrier's HTTP API (the stand-in is sandbox.carrier)."""

from typing import Any
from urllib.parse import quote

import httpx

from activities.carrier import (
    CreateShipment,
    HoldPickup,
    Label,
    LabelNotVoidable,
    ReleasePickup,
    RequestIntercept,
    VoidLabel,
)
from activities.failures import BusinessFailure
from activities.http_refusals import error_of, refusal


class CarrierRefused(BusinessFailure):
    """The carrier refused a request for a reason a retry cannot change (unknown shipment, invalid address...)."""


class HttpCarrier:
    """Carrier over the carrier's HTTP API, through an `httpx.AsyncClient` whose base_url the caller sets.

    Each call sends the request's idempotency key as the Idempotency-Key header, so a retried activity
    gets the carrier's first answer (the same label, not a second one). A 409 `label_not_voidable`
    becomes LabelNotVoidable, any other refusal in the carrier's error shape CarrierRefused; 5xx,
    throttling and connection errors stay ordinary exceptions, which the activity retry policy retries.
    Voiding a label that is already voided succeeds. An intercept request is only filed here (202);
    the carrier's answer comes later as shipment events, and a parcel that was never scanned (nothing
    to intercept) is refused at once with CarrierRefused, code `nothing_to_intercept`. A pickup hold
    asked too late (409 `already_picked_up`) answers False: the parcel has left.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def create_shipment(self, request: CreateShipment) -> Label:
        body = {
            "order_id": request.order_id,
            "address": request.address.model_dump(mode="json"),
            "parcel_units": request.parcel_units,
        }
        shipment = answer(await self._post("/carrier/shipments", request.idempotency_key, body))
        return Label(
            shipment_id=shipment["id"], tracking_number=shipment["tracking_number"], label_url=shipment["label_url"]
        )

    async def void_label(self, request: VoidLabel) -> None:
        path = f"/carrier/shipments/{quote(request.shipment_id, safe='')}/void"
        answer(await self._post(path, request.idempotency_key, None))

    async def request_intercept(self, request: RequestIntercept) -> None:
        path = f"/carrier/shipments/{quote(request.shipment_id, safe='')}/intercept"
        answer(await self._post(path, request.idempotency_key, None))

    async def hold_pickup(self, request: HoldPickup) -> bool:
        path = f"/carrier/shipments/{quote(request.shipment_id, safe='')}/hold"
        response = await self._post(path, request.idempotency_key, None)
        if response.status_code == 409 and (error_of(response) or {}).get("type") == "already_picked_up":
            return False  # the parcel has left: its pickup scan reaches the order as a shipment event
        answer(response)
        return True

    async def release_pickup(self, request: ReleasePickup) -> None:
        path = f"/carrier/shipments/{quote(request.shipment_id, safe='')}/release"
        answer(await self._post(path, request.idempotency_key, None))

    async def _post(self, path: str, idempotency_key: str, body: dict[str, Any] | None) -> httpx.Response:
        return await self._client.post(path, json=body, headers={"Idempotency-Key": idempotency_key})


def answer(response: httpx.Response) -> dict[str, Any]:
    if response.is_success:
        return response.json()
    error = refusal(response, "carrier")
    message = str(error.get("message") or f"the carrier refused with HTTP {response.status_code}")
    if error.get("type") == "label_not_voidable":
        raise LabelNotVoidable(message, code="label_not_voidable")
    raise CarrierRefused(message, code=error.get("type"))
