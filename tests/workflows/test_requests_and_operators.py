"""Malformed requests, operators' Temporal cancel, and search attributes, on a real dev server."""

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import CancelledError

from domain.lifecycle import OrderStatus
from domain.requests import CancellationRequest, CancelReason, RequestedBy, Verdict
from tests.workflows.conftest import World, an_order
from workflows import search
from workflows.order import OrderWorkflow


async def test_a_malformed_request_is_rejected_with_what_is_wrong_and_nothing_in_history(world: World) -> None:
    handle = await world.place_confirmed()

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update("cancel", {"request_id": "r1", "reason": "BORED"})

    assert "reason" in str(rejected.value.cause)
    accepted = "workflow_execution_update_accepted_event_attributes"
    assert not [e async for e in handle.fetch_history_events() if e.HasField(accepted)]
    assert (await handle.query(OrderWorkflow.status)).status is OrderStatus.CONFIRMED
    await handle.terminate("test done")


@pytest.mark.parametrize(("update", "sent", "named"), [
    ("cancel", "CUSTOMER", "invalid cancellation request: expected a JSON object of its fields, not a string"),
    ("cancel", ["r1", "CUSTOMER"], "not a list"),
    ("cancel", None, "not null"),
    ("review_cancellation", 7, "invalid review: expected a JSON object of its fields, not a number"),
    ("resolve", "RETRY", "invalid resolution: expected a JSON object of its fields, not a string"),
])
async def test_an_update_whose_input_is_not_an_object_is_refused_with_the_products_own_message(
    world: World, update: str, sent: object, named: str
) -> None:
    handle = await world.place_confirmed()

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(update, sent)

    assert named in str(rejected.value.cause)
    await handle.terminate("test done")


async def test_a_bare_string_scan_or_request_is_noted_on_the_timeline_like_a_malformed_object(world: World) -> None:
    handle = await world.place_confirmed()

    await handle.signal("shipment_event", "PICKED_UP")
    await handle.signal("shipment_event", {"type": "TELEPORTED"})
    await handle.signal("request_cancellation", "cancel it")
    order = await handle.query(OrderWorkflow.status)
    await handle.terminate("test done")

    noted = [(e.event, e.detail) for e in order.timeline if e.event.endswith("_MALFORMED")]
    assert noted == [
        ("SHIPMENT_EVENT_MALFORMED", "invalid shipment event: expected a JSON object of its fields, not a string"),
        ("SHIPMENT_EVENT_MALFORMED", noted[1][1]),
        ("CANCELLATION_REQUEST_MALFORMED", "invalid cancellation request: expected a JSON object of its fields, not a string"),
    ]
    assert "type" in noted[1][1]
    assert order.status is OrderStatus.CONFIRMED


async def test_a_request_without_request_id_is_rejected(world: World) -> None:
    handle = await world.place()

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update("cancel", {"reason": "CUSTOMER"})

    assert "request_id" in str(rejected.value.cause)
    await handle.terminate("test done")


async def test_a_reused_request_id_with_other_parameters_is_rejected(world: World) -> None:
    handle = await world.place_confirmed()
    await handle.execute_update(OrderWorkflow.cancel, CancellationRequest(request_id="r1", reason=CancelReason.CUSTOMER))

    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(OrderWorkflow.cancel, CancellationRequest(request_id="r1", reason=CancelReason.FRAUD))

    assert "already used for a different request" in str(rejected.value.cause)
    await handle.terminate("test done")


async def test_a_temporal_cancel_request_compensates_like_a_staff_cancellation(world: World) -> None:
    handle = await world.place_confirmed()

    await handle.cancel()
    with pytest.raises(WorkflowFailureError) as ended:
        await handle.result()

    assert isinstance(ended.value.cause, CancelledError)
    order = await handle.query(OrderWorkflow.status)
    assert order.status is OrderStatus.CANCELLED
    assert order.cancellation_reason is CancelReason.STAFF
    assert order.cancellations[0].requested_by is RequestedBy.CUSTOMER_SERVICE
    assert world.payments.voided == {order.authorization_id}
    assert world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "CANCELLATION"]


async def test_search_attributes_follow_status_customer_and_reason(world: World) -> None:
    handle = await world.place_confirmed(customer_id="cust-42")
    outcome = await handle.execute_update(
        OrderWorkflow.cancel, CancellationRequest(request_id="r1", reason=CancelReason.FRAUD)
    )
    await handle.result()

    attributes = (await handle.describe()).typed_search_attributes

    assert outcome.outcome is Verdict.ACCEPTED
    assert attributes.get(search.ORDER_STATUS) == "CANCELLED"
    assert attributes.get(search.CUSTOMER_ID) == "cust-42"
    assert attributes.get(search.CANCELLATION_REASON) == "FRAUD"


async def upserted_names(handle: WorkflowHandle) -> list[set[str]]:
    """The search attributes each billed upsert of the order's history set (patch markers' aside)."""
    upserts = [
        set(event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        async for event in handle.fetch_history_events()
        if event.HasField("upsert_workflow_search_attributes_event_attributes")
    ]
    return [names for names in upserts if names != {"TemporalChangeVersion"}]


async def test_the_search_attributes_an_order_is_started_with_are_not_upserted_again(world: World) -> None:
    handle = await world.place_confirmed(customer_id="cust-42")  # started with search.at_start
    await handle.terminate("test done")

    upserts = await upserted_names(handle)

    assert upserts[0] == {"OrderStatus"}  # PAYMENT_AUTHORIZED: the first change since PLACED
    assert not [names for names in upserts if names & {"CustomerId", "NeedsAttention"}]
    assert (await handle.describe()).typed_search_attributes.get(search.CUSTOMER_ID) == "cust-42"


async def test_an_order_started_without_search_attributes_publishes_them_itself(world: World) -> None:
    handle = await world.start(an_order(customer_id="cust-7"), with_search_attributes=False)
    await world.mailer.wait_for("CONFIRMATION")
    await handle.terminate("test done")

    attributes = (await handle.describe()).typed_search_attributes

    assert (await upserted_names(handle))[0] == {"OrderStatus", "CustomerId", "NeedsAttention"}
    assert attributes.get(search.CUSTOMER_ID) == "cust-7"
    assert attributes.get(search.NEEDS_ATTENTION) is False
