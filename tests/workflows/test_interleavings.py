"""Requests, reviews and scans arriving while a step or a compensation is in flight, on a real dev server."""

from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateStage

from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.requests import CancellationOutcome, LineSelection, ReasonCode, Resolution, ResolutionAction, Verdict
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.fakes import FAILING_REFUND_CARD, Gate
from tests.workflows.conftest import BRIEF, SHORT, TOTAL, World, customer_cancel, staff_cancel, watch_labels
from workflows.order import OrderWorkflow

ACCEPTED = WorkflowUpdateStage.ACCEPTED
MUG = 1250


def scan(kind: ShipmentEventType) -> ShipmentEvent:
    return ShipmentEvent(type=kind)


async def stuck(world: World) -> WorkflowHandle:
    """Place an order and wait until a step has failed past a brief retry budget and a person is asked."""
    handle = await world.place(policy=BRIEF)
    await world.mailer.wait_for("ESCALATION")
    return handle


async def cancelled_while_stuck(world: World, party: object, fault: str) -> tuple[CancellationOutcome, Order]:
    """Cancel the whole order while a step that failed (the third party's `fault`) awaits a person,
    the third party working again by then; the order as it ended."""
    setattr(party, fault, True)
    handle = await stuck(world)
    setattr(party, fault, False)
    outcome = await handle.execute_update(OrderWorkflow.cancel, staff_cancel())
    return outcome, await handle.result()


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


async def test_a_recall_by_staff_after_pickup_settles_on_the_carriers_answer_despite_an_open_review(
    world: World,
) -> None:
    label = world.carrier.label_gate = Gate()
    handle = await world.place_until(label, policy=SHORT)
    # Decided after the label, past the window and before pickup: the customer's request awaits review.
    review = await handle.start_update(OrderWorkflow.cancel, customer_cancel("customer"), wait_for_stage=ACCEPTED)
    label.opened.set()
    assert (await review.result()).outcome is Verdict.PENDING_REVIEW
    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.PICKED_UP))

    recall = await handle.execute_update(OrderWorkflow.cancel, staff_cancel("staff"))
    for kind in (ShipmentEventType.INTERCEPTED, ShipmentEventType.RETURNED_TO_SENDER):
        await handle.signal(OrderWorkflow.shipment_event, scan(kind))
    # The carrier's answer waits behind whatever step is in flight: ask again once the customer was told.
    await world.mailer.wait_for("CANCELLATION")
    settled = await handle.execute_update(OrderWorkflow.cancel, staff_cancel("staff"))

    assert recall.outcome is Verdict.INTERCEPT_REQUESTED
    assert settled.outcome is Verdict.ACCEPTED
    order = await handle.result()
    assert order.status is OrderStatus.CANCELLED
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert order.cancellation("customer").reason_code is ReasonCode.SUPERSEDED
    assert order.refunded_minor == order.captured_minor == TOTAL
    assert world.carrier.intercepts == [f"{order.order_id}:request_intercept:staff"]


@pytest.mark.parametrize("fault", ["capture_down", "capture_lost"])
async def test_lines_cancelled_while_a_capture_of_unknown_outcome_awaits_a_person_are_refunded_after_it(
    world: World, fault: str
) -> None:
    setattr(world.payments, fault, True)
    watch_labels(world)
    handle = await stuck(world)

    partial = staff_cancel("one-mug", lines=[LineSelection(sku="MUG", quantity=1)])
    outcome = await handle.execute_update(OrderWorkflow.cancel, partial)
    setattr(world.payments, fault, False)
    await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.RETRY, by="ops"))
    await world.carrier.label_gate.entered.wait()
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    assert outcome.outcome is Verdict.ACCEPTED
    # Whether or not the lost capture reached the gateway, the retry asks for the same capture under
    # the same key, so exactly one capture is taken; the cancelled mug's share goes back at once.
    assert order.captured_minor == sum(world.payments.captured.values()) == TOTAL
    assert order.refunded_minor == sum(world.payments.refunded.values()) == MUG
    assert order.outstanding_minor == order.capturable_minor == TOTAL - MUG
    corrected = [m for m in world.mailer.messages if m.kind.value == "CHARGE_CORRECTION"]
    assert len(corrected) == 1 and "refunded 12.50 EUR to your original payment method" in corrected[0].body


async def test_units_cancelled_while_a_reservation_of_unknown_outcome_awaits_a_person_go_back_on_hand(
    world: World,
) -> None:
    world.inventory.reserve_lost = True
    handle = await stuck(world)

    partial = staff_cancel("one-mug", lines=[LineSelection(sku="MUG", quantity=1)])
    outcome = await handle.execute_update(OrderWorkflow.cancel, partial)
    world.inventory.reserve_lost = False
    await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.RETRY, by="ops"))
    await world.mailer.wait_for("CONFIRMATION")
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    assert outcome.outcome is Verdict.ACCEPTED
    # The lost reservation had taken both mugs: the retry learns it, and the cancelled one goes back.
    assert world.inventory.reserved[order.order_id] == {"MUG": 1, "TEA": 1}
    assert world.inventory.on_hand == {"MUG": 9, "TEA": 9}


async def test_an_order_cancelled_while_a_capture_of_unknown_outcome_awaits_a_person_refunds_what_it_took(
    world: World,
) -> None:
    outcome, order = await cancelled_while_stuck(world, world.payments, "capture_lost")

    assert outcome.outcome is Verdict.ACCEPTED and order.status is OrderStatus.CANCELLED
    # The lost capture had gone through, so the hold could not be released: the charge is refunded.
    assert order.captured_minor == sum(world.payments.captured.values()) == TOTAL
    assert order.refunded_minor == sum(world.payments.refunded.values()) == TOTAL
    assert "refunded 38.98 EUR to your original payment method" in world.mailer.messages[-1].body


async def test_an_order_cancelled_while_a_reservation_of_unknown_outcome_awaits_a_person_gives_the_units_back(
    world: World,
) -> None:
    outcome, order = await cancelled_while_stuck(world, world.inventory, "reserve_lost")

    assert outcome.outcome is Verdict.ACCEPTED and order.status is OrderStatus.CANCELLED
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert world.inventory.reserved[order.order_id] == {"MUG": 0, "TEA": 0}


async def test_an_order_cancelled_while_an_authorization_of_unknown_outcome_awaits_a_person_releases_the_hold(
    world: World,
) -> None:
    outcome, order = await cancelled_while_stuck(world, world.payments, "authorize_lost")

    assert outcome.outcome is Verdict.ACCEPTED and order.status is OrderStatus.CANCELLED
    # The lost authorization had put a hold on the card: it is found under its key and released.
    assert world.payments.voided == {f"pi_{order.order_id}"} and order.authorization_voided
    assert order.captured_minor == 0 and not world.payments.captured
    assert "The hold on your card has been released" in world.mailer.messages[-1].body


async def test_an_order_cancelled_while_a_label_of_unknown_outcome_awaits_a_person_voids_that_label(
    world: World,
) -> None:
    outcome, order = await cancelled_while_stuck(world, world.carrier, "label_lost")

    assert outcome.outcome is Verdict.ACCEPTED and order.status is OrderStatus.CANCELLED
    # The lost label had been bought: asked for again under its key, it is found and voided.
    assert world.carrier.voided == {f"shp_{order.order_id}"}
    assert set(world.carrier.labels.values()) == {f"{order.order_id}:label"}
    assert order.refunded_minor == order.captured_minor == TOTAL and order.label_unconfirmed_units is None


async def test_a_request_id_reused_with_other_lines_while_the_first_waits_behind_a_step_is_refused(
    world: World,
) -> None:
    capture = world.payments.capture_gate = Gate()
    handle = await world.place_until(capture, policy=SHORT)
    one_mug = staff_cancel("r1", lines=[LineSelection(sku="MUG", quantity=1)])
    first = await handle.start_update(OrderWorkflow.cancel, one_mug, wait_for_stage=ACCEPTED)

    everything = await handle.start_update(OrderWorkflow.cancel, staff_cancel("r1"), wait_for_stage=ACCEPTED)
    capture.opened.set()

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await everything.result()
    assert "already used for a different request" in str(refused.value.cause)
    assert (await first.result()).outcome is Verdict.ACCEPTED
    await handle.terminate("test done")


async def test_a_partial_refund_moved_to_store_credit_by_a_person_is_told_as_store_credit(world: World) -> None:
    capture = world.payments.capture_gate = Gate.watching()
    handle = await world.place_until(capture, policy=SHORT, payment_method=FAILING_REFUND_CARD)
    partial = staff_cancel("one-mug", lines=[LineSelection(sku="MUG", quantity=1)])
    await handle.execute_update(OrderWorkflow.cancel, partial)
    await world.mailer.wait_for("ESCALATION")

    credit = Resolution(action=ResolutionAction.REFUND_TO_STORE_CREDIT, by="sam")
    await handle.execute_update(OrderWorkflow.resolve, credit)
    await world.mailer.wait_for("PARTIAL_CANCELLATION")
    await handle.terminate("test done")

    told = world.mailer.messages[-1].body
    assert world.payments.credited == {"cust-1": MUG} and sum(world.payments.refunded.values()) == 0
    assert "added 12.50 EUR to your store credit" in told and "original payment method" not in told


async def test_a_carrier_silent_past_the_deadline_while_a_failed_step_awaits_a_person_is_asked_about_next(
    world: World,
) -> None:
    world.inventory.ship_down = True
    watch_labels(world)
    policy = BRIEF.model_copy(update={"intercept_deadline": timedelta(seconds=1)})
    handle = await world.place(policy=policy)
    await world.carrier.label_gate.entered.wait()
    ship = world.inventory.ship_gate = Gate()
    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.PICKED_UP))
    await ship.entered.wait()
    # Decided once booking the units out has failed: the carrier is asked to bring the parcel back.
    recall = await handle.start_update(OrderWorkflow.cancel, staff_cancel(), wait_for_stage=ACCEPTED)
    ship.opened.set()
    assert (await recall.result()).outcome is Verdict.INTERCEPT_REQUESTED
    await world.mailer.wait_for("ESCALATION")
    stuck = await handle.query(OrderWorkflow.status)
    assert stuck.attention is not None and stuck.attention.step == "SHIP_STOCK"
    await next_timer_fired(handle)  # the carrier's deadline passes while the person has not answered yet

    world.inventory.ship_down = False
    await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.RETRY, by="ops"))
    asked = await handle.query(OrderWorkflow.status)
    give_up = Resolution(action=ResolutionAction.MARK_RESOLVED, by="ops", note="carrier lost the request")
    await handle.execute_update(OrderWorkflow.resolve, give_up)
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    assert asked.attention is not None and asked.attention.step == "REQUEST_INTERCEPT"
    assert order.attention is None and order.cancellation("req-1").outcome is Verdict.REJECTED
    assert world.inventory.shipped == {"MUG": 2, "TEA": 1}
    assert world.mailer.kinds(order.order_id).count("ESCALATION") == 2


async def test_a_carrier_that_answers_while_its_overdue_question_waits_behind_another_is_not_asked_about(
    world: World,
) -> None:
    world.inventory.ship_down = True
    watch_labels(world)
    handle = await world.place(policy=BRIEF.model_copy(update={"intercept_deadline": timedelta(seconds=1)}))
    await world.carrier.label_gate.entered.wait()
    ship = world.inventory.ship_gate = Gate()
    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.PICKED_UP))
    await ship.entered.wait()
    await handle.start_update(OrderWorkflow.cancel, staff_cancel(), wait_for_stage=ACCEPTED)
    ship.opened.set()
    await world.mailer.wait_for("ESCALATION")
    await next_timer_fired(handle)  # the carrier's deadline passes while the failed booking awaits a person

    await handle.signal(OrderWorkflow.shipment_event, scan(ShipmentEventType.INTERCEPT_FAILED))
    world.inventory.ship_down, world.inventory.ship_gate = False, Gate.watching()
    await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.RETRY, by="ops"))
    await world.inventory.ship_gate.entered.wait()
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    assert order.attention is None and order.status is OrderStatus.SHIPPED
    assert order.cancellation("req-1").reason_code is ReasonCode.INTERCEPT_FAILED
    assert world.mailer.kinds(order.order_id).count("ESCALATION") == 1


async def next_timer_fired(handle: WorkflowHandle) -> None:
    """Wait, by long-polling the history, for the next timer to fire after what has happened so far."""
    last = [event.event_id async for event in handle.fetch_history_events()][-1]
    async for event in handle.fetch_history_events(wait_new_event=True):
        if event.event_id > last and event.HasField("timer_fired_event_attributes"):
            return
