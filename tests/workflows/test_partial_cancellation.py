"""Cancelling some lines, before and after capture, on a real dev server."""

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateStage

from domain.lifecycle import OrderStatus
from domain.lines import LineStatus
from domain.requests import (
    CancellationRequest,
    CancelReason,
    LineSelection,
    RequestedBy,
    Resolution,
    ResolutionAction,
    Verdict,
)
from tests.fakes import Gate
from tests.workflows.conftest import BRIEF, SHORT, TOTAL, World, watch_labels
from workflows.order import OrderWorkflow

MUG, TEA, FEE = 1250, 899, 499


def cancel_lines(request_id: str, *lines: tuple[str, int], by: RequestedBy = RequestedBy.CUSTOMER) -> CancellationRequest:
    return CancellationRequest(
        request_id=request_id,
        reason=CancelReason.CUSTOMER,
        requested_by=by,
        lines=[LineSelection(sku=sku, quantity=quantity) for sku, quantity in lines],
    )


async def test_a_partial_cancel_before_capture_releases_the_lines_and_capture_takes_only_the_rest(
    world: World,
) -> None:
    world.carrier.label_gate = Gate()
    handle = await world.place_confirmed()

    outcome = await handle.execute_update(OrderWorkflow.cancel, cancel_lines("p1", ("MUG", 1)))
    await world.mailer.wait_for("PARTIAL_CANCELLATION")
    view = await handle.query(OrderWorkflow.status)

    assert outcome.outcome is Verdict.ACCEPTED
    assert view.status is OrderStatus.CONFIRMED and view.partially_cancelled
    assert [(line.sku, line.open_quantity, line.status) for line in view.lines] == [
        ("MUG", 1, LineStatus.PARTIALLY_CANCELLED),
        ("TEA", 1, LineStatus.OPEN),
    ]
    assert view.capturable_minor == TOTAL - MUG
    assert world.inventory.on_hand == {"MUG": 9, "TEA": 9}
    assert world.payments.voided == set()
    await handle.terminate("test done")


async def test_cancelling_every_line_one_by_one_ends_as_a_full_cancellation_with_every_cent_back(
    world: World,
) -> None:
    capture = world.payments.capture_gate = Gate.watching()
    handle = await world.place_until(capture, policy=SHORT)
    staff = RequestedBy.CUSTOMER_SERVICE

    first = await handle.execute_update(OrderWorkflow.cancel, cancel_lines("p1", ("MUG", 2), by=staff))
    await world.mailer.wait_for("PARTIAL_CANCELLATION")
    last = await handle.execute_update(OrderWorkflow.cancel, cancel_lines("p2", ("TEA", 1), by=staff))
    order = await handle.result()

    assert first.outcome is last.outcome is Verdict.ACCEPTED
    assert order.status is OrderStatus.CANCELLED
    assert sorted(world.payments.refunded.values()) == [TOTAL]
    assert order.refunded_minor == order.captured_minor == TOTAL
    refunds = [entry.detail for entry in order.timeline if entry.event == "REFUND_PENDING"]
    assert len(refunds) == 2
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "PARTIAL_CANCELLATION", "CANCELLATION"]
    assert f"{2 * MUG // 100}.00 EUR" in world.mailer.messages[1].body


async def test_a_full_cancel_decided_while_a_partial_refund_is_queued_refunds_every_cent_once(
    world: World,
) -> None:
    label = world.carrier.label_gate = Gate()
    handle = await world.place_until(label, policy=SHORT)
    staff, accepted = RequestedBy.CUSTOMER_SERVICE, WorkflowUpdateStage.ACCEPTED
    everything = CancellationRequest(request_id="all", reason=CancelReason.STAFF, requested_by=staff)

    # Both are decided when the label step returns: the partial's refund is queued, not started.
    partial = await handle.start_update(OrderWorkflow.cancel, cancel_lines("p1", ("MUG", 1), by=staff), wait_for_stage=accepted)
    full = await handle.start_update(OrderWorkflow.cancel, everything, wait_for_stage=accepted)
    label.opened.set()
    order = await handle.result()

    assert (await partial.result()).outcome is (await full.result()).outcome is Verdict.ACCEPTED
    assert order.status is OrderStatus.CANCELLED
    assert list(world.payments.refunded.values()) == [TOTAL]
    refunds = [entry.detail for entry in order.timeline if entry.event == "REFUND_PENDING"]
    assert len(refunds) == 2
    assert order.refunded_minor == order.captured_minor == TOTAL


@pytest.mark.parametrize(
    ("lines", "complaint"),
    [
        ((("PEN", 1),), "line PEN: order"),
        ((("MUG", 3),), "line MUG: 3 to cancel but only 2 still open"),
    ],
    ids=["unknown sku", "more than is open"],
)
async def test_a_partial_cancel_naming_a_wrong_line_is_rejected_by_the_validator(
    world: World, lines: tuple[tuple[str, int], ...], complaint: str
) -> None:
    handle = await world.place()

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(OrderWorkflow.cancel, cancel_lines("bad", *lines))

    assert complaint in str(rejected.value.cause)
    await handle.terminate("test done")


@pytest.mark.parametrize("quantity", [0, -1])
async def test_a_quantity_below_one_is_rejected_naming_the_line(world: World, quantity: int) -> None:
    handle = await world.place()

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(
            "cancel", {"request_id": "z", "reason": "CUSTOMER", "lines": [{"sku": "MUG", "quantity": quantity}]}
        )

    assert f"line MUG: quantity must be at least 1, not {quantity}" in str(rejected.value.cause)
    await handle.terminate("test done")


async def test_a_partial_release_marked_done_outside_leaves_the_other_lines_reserved_for_a_later_cancel(
    world: World,
) -> None:
    world.inventory.release_down = True
    handle = await world.place_confirmed(policy=BRIEF.model_copy(update={"free_cancellation_window": timedelta(hours=1)}))
    staff = RequestedBy.CUSTOMER_SERVICE
    await handle.execute_update(OrderWorkflow.cancel, cancel_lines("p1", ("MUG", 1), by=staff))
    await world.mailer.wait_for("ESCALATION")
    world.inventory.release_down = False

    await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.MARK_RESOLVED, by="ops"))
    await world.mailer.wait_for("PARTIAL_CANCELLATION")
    await handle.execute_update(OrderWorkflow.cancel, cancel_lines("rest", ("MUG", 1), ("TEA", 1), by=staff))
    order = await handle.result()

    assert order.status is OrderStatus.CANCELLED
    # The whole order's release empties the reservation, whatever the person did by hand with the mug.
    assert world.inventory.reserved[order.order_id] == {"MUG": 0, "TEA": 0}
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}


async def test_a_slow_refund_of_cancelled_lines_does_not_hold_back_the_lines_still_open(world: World) -> None:
    world.payments.refunds_settle = False
    capture = world.payments.capture_gate = Gate()
    watch_labels(world)
    handle = await world.place_until(capture, policy=SHORT)
    staff = RequestedBy.CUSTOMER_SERVICE
    # Decided once the capture is done, so the refund is started before the label is bought.
    cancel = cancel_lines("p1", ("MUG", 2), by=staff)
    await handle.start_update(OrderWorkflow.cancel, cancel, wait_for_stage=WorkflowUpdateStage.ACCEPTED)
    capture.opened.set()

    await world.carrier.label_gate.entered.wait()  # the rest goes ahead while the refund is pending
    pending = await handle.query(OrderWorkflow.status)
    world.payments.refunds_settle = True
    await world.mailer.wait_for("PARTIAL_CANCELLATION")
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    assert pending.refund_pending_minor == 2 * MUG and pending.refunded_minor == 0
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "PARTIAL_CANCELLATION"]
    assert (order.refunded_minor, order.refund_pending_minor) == (2 * MUG, 0)
    assert "refunded 25.00 EUR to your original payment method" in world.mailer.messages[-1].body
