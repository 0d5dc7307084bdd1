"""Requests, reviews and scans arriving while a step or a compensation is in flight, on a real dev server."""

from temporalio.client import WorkflowUpdateStage

from domain.order import OrderStatus
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.fakes import Gate
from tests.workflows.conftest import SHORT, TOTAL, World, staff_cancel
from workflows.order import OrderWorkflow

ACCEPTED = WorkflowUpdateStage.ACCEPTED


def scan(kind: ShipmentEventType) -> ShipmentEvent:
    return ShipmentEvent(type=kind)


async def test_a_parcel_returned_before_its_units_were_booked_out_releases_them_from_the_reservation(
    world: World,
) -> None:
    label, intercept = world.carrier.label_gate, world.carrier.intercept_gate = Gate(), Gate()
    handle = await world.place_until(label, policy=SHORT)
    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.PICKED_UP))
    # Decided once the label is bought: the parcel has left, so the carrier is asked to bring it back.
    await handle.start_update(OrderWorkflow.cancel, staff_cancel(), wait_for_stage=ACCEPTED)
    label.opened.set()
    await intercept.entered.wait()
    # The carrier answers before the warehouse booked the units out as shipped.
    for kind in (ShipmentEventType.INTERCEPTED, ShipmentEventType.RETURNED_TO_SENDER):
        await handle.signal(OrderWorkflow.shipment_event, scan(kind))
    intercept.opened.set()
    order = await handle.result()

    assert order.status is OrderStatus.CANCELLED
    assert order.refunded_minor == order.captured_minor == TOTAL
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert world.inventory.reserved[order.order_id] == {"MUG": 0, "TEA": 0}
