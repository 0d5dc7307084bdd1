"""Carrier: create the shipment and buy its label, void the label before the first scan."""

from typing import Protocol

from pydantic import BaseModel
from temporalio import activity

from activities.failures import BusinessFailure, final_on_business_failure
from domain.placement import Address


class LabelNotVoidable(BusinessFailure):
    """The carrier has scanned the parcel; its label can no longer be voided."""


class CreateShipment(BaseModel):
    order_id: str
    address: Address
    parcel_units: int
    idempotency_key: str


class Label(BaseModel):
    shipment_id: str
    tracking_number: str
    label_url: str


class VoidLabel(BaseModel):
    order_id: str
    shipment_id: str
    idempotency_key: str


class RequestIntercept(BaseModel):
    order_id: str
    shipment_id: str
    idempotency_key: str


class Carrier(Protocol):
    async def create_shipment(self, request: CreateShipment) -> Label: ...

    async def void_label(self, request: VoidLabel) -> None: ...

    async def request_intercept(self, request: RequestIntercept) -> None:
        """File a return-to-sender request; the carrier's answer arrives later as shipment events."""
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
