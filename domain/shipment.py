"""The parcel: its label, the carrier's scans, and the carrier's answers to an intercept."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from domain.placement import Strict


class ShipmentEventType(StrEnum):
    """Scans of the parcel, and the carrier's answers to an intercept request."""

    PICKED_UP = "PICKED_UP"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    INTERCEPTED = "INTERCEPTED"
    RETURNED_TO_SENDER = "RETURNED_TO_SENDER"
    INTERCEPT_FAILED = "INTERCEPT_FAILED"


class ShipmentEvent(Strict):
    """A scan reported by the warehouse or carrier integration."""

    type: ShipmentEventType
    at: datetime | None = None
    tracking_number: str | None = None


class Shipment(BaseModel):
    shipment_id: str
    tracking_number: str
    label_voided: bool = False
    last_event: ShipmentEventType | None = None
    intercept_requested: bool = False
    returned: bool = False


# What can only happen once the carrier has the parcel.
AFTER_PICKUP = frozenset(
    {
        ShipmentEventType.IN_TRANSIT,
        ShipmentEventType.OUT_FOR_DELIVERY,
        ShipmentEventType.INTERCEPTED,
        ShipmentEventType.RETURNED_TO_SENDER,
        ShipmentEventType.INTERCEPT_FAILED,
    }
)
