"""Carrier: create the shipment and buy its label, hold or release its pickup, void the label before
the first scan, recall a parcel it has."""

from typing import Protocol

from pydantic import BaseModel
from temporalio import activity

from activities.failures import BusinessFailure, final_on_business_failure
from domain import keys
from domain.placement import Address, PlaceOrder


class LabelNotVoidable(BusinessFailure):
    """The carrier has scanned the parcel; its label can no longer be voided."""


class CreateShipment(BaseModel):
    order_id: str
    address: Address
    parcel_units: int
    idempotency_key: str

    @classmethod
    def for_order(cls, command: PlaceOrder, parcel_units: int) -> "CreateShipment":
        """The order's label: asked again under its key, the carrier answers with the same label."""
        return cls(
            order_id=command.order_id,
            address=command.shipping_address,
            parcel_units=parcel_units,
            idempotency_key=keys.forward(command.order_id, "create_shipment"),
        )


class Label(BaseModel):
    shipment_id: str
    tracking_number: str
    label_url: str


class ShipmentRequest(BaseModel):
    """A request about the order's shipment, under its own idempotency key."""

    order_id: str
    shipment_id: str
    idempotency_key: str


class VoidLabel(ShipmentRequest):
    """Void the label before the carrier's first scan."""


class RequestIntercept(ShipmentRequest):
    """Recall a parcel the carrier has."""


class HoldPickup(ShipmentRequest):
    """Keep the carrier from collecting the parcel for now."""


class ReleasePickup(ShipmentRequest):
    """Let the carrier collect a held parcel."""


class Carrier(Protocol):
    async def create_shipment(self, request: CreateShipment) -> Label: ...

    async def void_label(self, request: VoidLabel) -> None: ...

    async def request_intercept(self, request: RequestIntercept) -> None:
        """File a return-to-sender request; the carrier's answer arrives later as shipment events."""
        ...

    async def hold_pickup(self, request: HoldPickup) -> bool:
        """Ask the carrier not to collect the parcel yet; False when it has collected it already."""
        ...

    async def release_pickup(self, request: ReleasePickup) -> None:
        """Let the carrier collect a parcel held before; nothing to do if it is not held."""
        ...


class CarrierActivities:
    """The carrier activities, over any Carrier."""

    def __init__(self, carrier: Carrier) -> None:
        self._carrier = carrier

    @activity.defn
    @final_on_business_failure
    async def create_shipment(self, request: CreateShipment) -> Label:
        """Create the shipment and buy its label."""
        return await self._carrier.create_shipment(request)

    @activity.defn
    @final_on_business_failure
    async def void_label(self, request: VoidLabel) -> None:
        """Void an unscanned label (refunding its postage)."""
        await self._carrier.void_label(request)

    @activity.defn
    @final_on_business_failure
    async def request_intercept(self, request: RequestIntercept) -> None:
        """Ask the carrier to return a parcel in transit to the sender."""
        await self._carrier.request_intercept(request)

    @activity.defn
    @final_on_business_failure
    async def hold_pickup(self, request: HoldPickup) -> bool:
        """Hold the parcel at the shipper while a cancellation awaits review; False: too late."""
        return await self._carrier.hold_pickup(request)

    @activity.defn
    @final_on_business_failure
    async def release_pickup(self, request: ReleasePickup) -> None:
        """Release a held parcel to the carrier: the order goes on."""
        await self._carrier.release_pickup(request)
