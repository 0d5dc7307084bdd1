"""Customer-service review and every deadline, on the time-skipping server."""

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.lifecycle import OrderStatus
from domain.policy import OnReviewTimeout, Policy
from domain.requests import (
    CancellationRequest,
    CancellationReview,
    CancelReason,
    ReasonCode,
    Resolution,
    ResolutionAction,
    ReviewDecision,
    Verdict,
)
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.workflows.conftest import watch_labels, world_on
from workflows import search
from workflows.order import OrderWorkflow

# Requests worth more than 10.00 go to review even inside the free window.
REVIEWED = Policy(review_above_minor=1000)
CUSTOMER = CancellationRequest(request_id="r1", reason=CancelReason.CUSTOMER)


def review(decision: ReviewDecision, note: str | None = None) -> CancellationReview:
    return CancellationReview(request_id="r1", decision=decision, reviewer="sam", note=note)


async def test_an_approved_review_cancels_and_nothing_was_captured_while_it_was_open(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env) as world:
        handle = await world.place_confirmed(policy=REVIEWED)
        pending = await handle.execute_update(OrderWorkflow.cancel, CUSTOMER)
        await skipping_env.sleep(timedelta(hours=2))
        held = await handle.query(OrderWorkflow.status)
        while_held = (await handle.describe()).typed_search_attributes

        approved = await handle.execute_update(OrderWorkflow.review_cancellation, review(ReviewDecision.APPROVE))
        order = await handle.result()
        after = (await handle.describe()).typed_search_attributes

    assert pending.outcome is Verdict.PENDING_REVIEW
    assert held.status is OrderStatus.CONFIRMED and held.captured_minor == 0
    # Customer service finds the order by what it waits for, and no longer once it is decided.
    assert while_held.get(search.PENDING_CANCELLATION) == "PENDING_REVIEW"
    assert after.get(search.PENDING_CANCELLATION) is None
    assert approved.outcome is Verdict.ACCEPTED
    assert order.status is OrderStatus.CANCELLED and order.cancellations[0].reviewed_by == "sam"
    assert world.payments.voided == {order.authorization_id}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "CANCELLATION"]


async def test_a_denied_review_resumes_fulfillment_and_tells_the_customer_why(skipping_env: WorkflowEnvironment) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        handle = await world.place_confirmed(policy=REVIEWED)
        await handle.execute_update(OrderWorkflow.cancel, CUSTOMER)

        denied = await handle.execute_update(
            OrderWorkflow.review_cancellation, review(ReviewDecision.DENY, "already packed for you")
        )
        await skipping_env.sleep(timedelta(hours=1))
        await world.carrier.label_gate.entered.wait()
        await world.mailer.wait_for("REJECTION")
        await handle.terminate("test done")

    assert (denied.outcome, denied.reason_code) == (Verdict.REJECTED, ReasonCode.REVIEW_DENIED)
    assert "already packed for you" in world.mailer.messages[-1].body
    assert sum(world.payments.captured.values()) > 0


async def test_a_review_already_decided_or_never_asked_for_is_refused_and_changes_nothing(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env) as world:
        handle = await world.place_confirmed(policy=REVIEWED)
        await handle.execute_update(OrderWorkflow.cancel, CUSTOMER)
        await handle.execute_update(OrderWorkflow.review_cancellation, review(ReviewDecision.DENY))

        with pytest.raises(WorkflowUpdateFailedError) as again:
            await handle.execute_update(OrderWorkflow.review_cancellation, review(ReviewDecision.APPROVE))
        with pytest.raises(WorkflowUpdateFailedError) as unknown:
            await handle.execute_update(
                OrderWorkflow.review_cancellation,
                CancellationReview(request_id="nope", decision=ReviewDecision.APPROVE, reviewer="sam"),
            )
        order = await handle.query(OrderWorkflow.status)
        await handle.terminate("test done")

    assert "is not awaiting review (it is REJECTED)" in str(again.value.cause)
    assert "has no cancellation request 'nope'" in str(unknown.value.cause)
    assert order.cancellation("r1").reason_code is ReasonCode.REVIEW_DENIED and order.status is not OrderStatus.CANCELLED


async def test_a_review_nobody_decides_is_escalated_to_customer_service_and_keeps_waiting(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env) as world:
        handle = await world.place_confirmed(policy=REVIEWED)
        await handle.execute_update(OrderWorkflow.cancel, CUSTOMER)

        await skipping_env.sleep(timedelta(hours=25))
        await world.mailer.wait_for("ESCALATION")
        order = await handle.query(OrderWorkflow.status)
        attributes = (await handle.describe()).typed_search_attributes
        await handle.terminate("test done")

    assert order.cancellations[0].outcome is Verdict.PENDING_REVIEW and order.cancellations[0].escalated
    assert attributes.get(search.NEEDS_ATTENTION) is True
    assert world.mailer.messages[-1].to == REVIEWED.customer_service_email


async def test_a_review_nobody_decides_is_approved_when_policy_says_so(skipping_env: WorkflowEnvironment) -> None:
    policy = REVIEWED.model_copy(update={"on_review_timeout": OnReviewTimeout.APPROVE})
    async with world_on(skipping_env) as world:
        handle = await world.place_confirmed(policy=policy)
        await handle.execute_update(OrderWorkflow.cancel, CUSTOMER)

        order = await handle.result()

    assert order.status is OrderStatus.CANCELLED
    assert order.cancellations[0].reviewed_by == "policy"


async def test_a_carrier_that_never_answers_an_intercept_moves_the_order_to_needs_attention(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        handle = await world.place(policy=Policy())
        await skipping_env.sleep(timedelta(minutes=31))
        await world.carrier.label_gate.entered.wait()
        await handle.signal(OrderWorkflow.shipment_event, ShipmentEvent(type=ShipmentEventType.PICKED_UP))
        await handle.execute_update(OrderWorkflow.cancel, CUSTOMER)

        await skipping_env.sleep(timedelta(days=6))
        await world.mailer.wait_for("ESCALATION")
        stuck = await handle.query(OrderWorkflow.status)
        await handle.execute_update(OrderWorkflow.resolve, Resolution(action=ResolutionAction.MARK_RESOLVED, by="sam"))
        after = await handle.query(OrderWorkflow.status)
        found = (await handle.describe()).typed_search_attributes
        await handle.terminate("test done")

    assert stuck.status is OrderStatus.NEEDS_ATTENTION and stuck.attention is not None
    assert "has not answered" in stuck.attention.problem
    assert after.status is OrderStatus.SHIPPED
    assert found.get(search.PENDING_CANCELLATION) is None and found.get(search.NEEDS_ATTENTION) is False
    assert after.cancellations[0].reason_code is ReasonCode.INTERCEPT_FAILED
