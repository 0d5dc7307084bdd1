"""Card holds lapse after days: an order captured later (a long window, a long review) asks for a
new hold first, or is cancelled DECLINED when the card refuses it; never captured on a lapsed hold."""

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain.lifecycle import OrderStatus, StockState
from domain.payment import PaymentState
from domain.policy import Policy
from domain.requests import CancelReason
from tests.workflows.conftest import TOTAL, watch_labels, world_on
from workflows.order import OrderWorkflow

# A window longer than the week a card hold lasts.
LONG_WINDOW = Policy(free_cancellation_window=timedelta(days=8), answer_period=timedelta(seconds=1))
# A window shorter than that week.
SIX_DAY_WINDOW = LONG_WINDOW.model_copy(update={"free_cancellation_window": timedelta(days=6)})


async def test_a_capture_after_the_hold_lapsed_asks_for_a_new_hold_and_captures_on_it(skipping_env: WorkflowEnvironment) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        handle = await world.place_confirmed(policy=LONG_WINDOW)
        await skipping_env.sleep(timedelta(days=8, minutes=1))
        await world.carrier.label_gate.entered.wait()
        order = await handle.query(OrderWorkflow.status)
        await handle.terminate("test done")

    renewed = f"pi_{order.order_id}:reauthorize-1"
    assert world.payments.authorized == {f"pi_{order.order_id}": TOTAL, renewed: TOTAL}
    assert world.payments.captured == {renewed: TOTAL}
    assert order.authorization_id == renewed and order.reauthorizations == 1
    assert [e.event for e in order.timeline if e.event in ("AUTHORIZATION_EXPIRED", "REAUTHORIZED")] == [
        "AUTHORIZATION_EXPIRED",
        "REAUTHORIZED",
    ]


async def test_a_card_that_declines_the_new_hold_cancels_the_order_and_the_customer_is_told(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env) as world:
        world.payments.decline_renewals = True
        handle = await world.place_confirmed(policy=LONG_WINDOW)
        await skipping_env.sleep(timedelta(days=8, minutes=1))
        order = await handle.result()

    assert order.status is OrderStatus.CANCELLED and order.cancellation_reason is CancelReason.DECLINED
    assert order.payment is PaymentState.EXPIRED and order.captured_minor == 0
    assert world.payments.captured == {} and world.payments.voided == set()
    assert order.stock is StockState.RELEASED and world.inventory.on_hand == {"MUG": 10, "TEA": 10}
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "CANCELLATION"]


async def test_a_capture_within_the_week_uses_the_first_hold(skipping_env: WorkflowEnvironment) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        handle = await world.place_confirmed(policy=SIX_DAY_WINDOW)
        await skipping_env.sleep(timedelta(days=6, minutes=1))
        await world.carrier.label_gate.entered.wait()
        order = await handle.query(OrderWorkflow.status)
        await handle.terminate("test done")

    assert world.payments.captured == {f"pi_{order.order_id}": TOTAL} and order.reauthorizations == 0


async def test_a_capture_the_gateway_refuses_for_a_hold_that_lapsed_early_renews_the_hold_without_a_person(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env, watch_labels) as world:
        world.payments.lapse_first_hold = True  # within the policy's week, but the issuer let it go
        handle = await world.place_confirmed(policy=SIX_DAY_WINDOW)
        await skipping_env.sleep(timedelta(days=6, minutes=1))
        await world.carrier.label_gate.entered.wait()
        order = await handle.query(OrderWorkflow.status)
        await handle.terminate("test done")

    renewed = f"pi_{order.order_id}:reauthorize-1"
    assert world.payments.captured == {renewed: TOTAL}
    assert order.authorization_id == renewed and order.captured_minor == TOTAL and order.attention is None
    assert [e.event for e in order.timeline if e.event in ("AUTHORIZATION_EXPIRED", "REAUTHORIZED")] == [
        "AUTHORIZATION_EXPIRED",
        "REAUTHORIZED",
    ]


async def test_a_card_that_declines_the_hold_renewed_after_the_gateway_refused_capture_cancels_the_order(
    skipping_env: WorkflowEnvironment,
) -> None:
    async with world_on(skipping_env) as world:
        world.payments.lapse_first_hold = world.payments.decline_renewals = True
        handle = await world.place_confirmed(policy=SIX_DAY_WINDOW)
        await skipping_env.sleep(timedelta(days=6, minutes=1))
        order = await handle.result()

    assert order.status is OrderStatus.CANCELLED and order.cancellation_reason is CancelReason.DECLINED
    assert world.payments.captured == {} and order.stock is StockState.RELEASED
    assert world.mailer.kinds(order.order_id) == ["CONFIRMATION", "CANCELLATION"]
