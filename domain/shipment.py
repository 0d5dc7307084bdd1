"""The parcel: its label, the carrier's scans, and the carrier's answers to an intercept."""

from datetime import datetime, timedelta
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
    """The parcel's own record: its label, the carrier's last scan, a recall, a hold for a review."""

    shipment_id: str
    tracking_number: str
    label_voided: bool = False
    last_event: ShipmentEventType | None = None
    intercept_requested: bool = False
    returned: bool = False
    # The request whose review the parcel is held for: the carrier does not collect it meanwhile.
    held_for: str | None = None

    def void_label(self) -> None:
        self.label_voided = True

    def hold_for(self, request_id: str) -> None:
        self.held_for = request_id

    def release_hold(self) -> None:
        self.held_for = None

    def request_intercept(self) -> None:
        self.intercept_requested = True

    def scanned(self, kind: ShipmentEventType) -> None:
        """The carrier's latest scan; a parcel brought back to the shipper is `returned`."""
        self.last_event = kind
        if kind is ShipmentEventType.RETURNED_TO_SENDER:
            self.returned = True

    def resent(self) -> None:
        """A parcel that came back was sent again: its delivery is awaited anew."""
        self.returned = False


class CarrierWait(StrEnum):
    """What the order waits for from the carrier, past a deadline, when a person must look (Attention.step)."""

    AWAIT_PICKUP = "AWAIT_PICKUP"
    AWAIT_DELIVERY = "AWAIT_DELIVERY"

    def overdue(self, shipment: "Shipment | None", waited: timedelta) -> str:
        """What a person is told when the scan has not come in time, and what they can do."""
        tracking = shipment.tracking_number if shipment else "without a label"
        doing = "picked up" if self is CarrierWait.AWAIT_PICKUP else "delivered"
        return (
            f"parcel {tracking} has not been {doing} within {waited}: chase the carrier, then RETRY to wait "
            "as long again, or record the scan (shipment_event), or cancel the order"
        )


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


# The attention step of a parcel the carrier brought back unasked, and what a person is told of it.
RETURNED_UNDELIVERED = "RETURNED_UNDELIVERED"


def came_back(shipment: Shipment) -> str:
    return (
        f"parcel {shipment.tracking_number} came back undelivered: cancel the order to restock and refund "
        "it, or send it again and MARK_RESOLVED to wait for its delivery"
    )
