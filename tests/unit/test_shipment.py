"""The Shipment part records the parcel's own facts: its label, the carrier's scans, a recall, a hold."""

from domain.shipment import Shipment, ShipmentEventType


def a_parcel() -> Shipment:
    return Shipment(shipment_id="shp_1", tracking_number="TRK1")


def test_a_parcel_brought_back_is_returned_until_it_is_sent_again() -> None:
    parcel = a_parcel()

    parcel.scanned(ShipmentEventType.RETURNED_TO_SENDER)
    assert parcel.returned and parcel.last_event is ShipmentEventType.RETURNED_TO_SENDER

    parcel.resent()
    assert not parcel.returned


def test_an_ordinary_scan_is_the_last_event_and_returns_nothing() -> None:
    parcel = a_parcel()

    parcel.scanned(ShipmentEventType.IN_TRANSIT)

    assert parcel.last_event is ShipmentEventType.IN_TRANSIT and not parcel.returned


def test_a_hold_names_the_review_it_is_for_until_released() -> None:
    parcel = a_parcel()

    parcel.hold_for("cs-1")
    assert parcel.held_for == "cs-1"

    parcel.release_hold()
    assert parcel.held_for is None


def test_a_voided_label_and_a_recall_are_recorded() -> None:
    parcel = a_parcel()

    parcel.void_label()
    parcel.request_intercept()

    assert parcel.label_voided and parcel.intercept_requested
