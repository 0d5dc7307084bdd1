"""Where the money goes back: store credit when asked for, and store credit when the card refuses a refund."""

import re

from domain.lifecycle import OrderStatus
from domain.requests import CancelReason, RefundDestination, ResolutionAction, Verdict
from starter.polling import poll
from starter.scenarios.cancel_points import AFTER_CAPTURE, order_at
from starter.scenarios.checks import expect, expect_message
from starter.scenarios.context import Context
from starter.scenarios.endings import expect_refunded
from starter.scenarios.kit import REFUND_FAILS_CARD, ScenarioOrder


async def refund_to_store_credit(ctx: Context) -> str:
    run = await order_at(ctx, "refund_to_store_credit", AFTER_CAPTURE)

    outcome = await run.cancel(run.request(by=AFTER_CAPTURE.by, refund_to=RefundDestination.STORE_CREDIT))
    order = await run.until_status(OrderStatus.CANCELLED)

    expect(outcome.outcome is Verdict.ACCEPTED, f"outcome {outcome.outcome} {outcome.reason_code}, expected ACCEPTED")
    mail = ("CONFIRMATION", "CANCELLATION")
    messages = await expect_refunded(run, order, *mail, reason=CancelReason.CUSTOMER, store_credit=run.total)
    expect_message(messages, "CANCELLATION", says="store credit")
    balance = await run.customer_balance(order.currency)
    expect(balance == run.total, f"customer's store-credit balance {balance}, expected {run.total}")
    return f"{run.total} to store credit, nothing to the card"


async def refund_fails_then_store_credit(ctx: Context) -> str:
    # Every refund to this card fails (expired_or_canceled_card), about a second after it is created.
    run = await order_at(ctx, "refund_fails_then_store_credit", AFTER_CAPTURE, card=REFUND_FAILS_CARD)

    await run.cancel(run.request(by=AFTER_CAPTURE.by, reason=CancelReason.STAFF))
    stuck = await run.until_status(OrderStatus.NEEDS_ATTENTION)
    listed = await listed_needing_attention(run)
    resolved = await run.resolve(ResolutionAction.REFUND_TO_STORE_CREDIT)
    order = await run.until_status(OrderStatus.CANCELLED)

    need = stuck.attention
    expect(need is not None and need.step == "REFUND_PAYMENT", f"attention {need}, expected the refund step")
    assert need is not None
    expect("expired_or_canceled_card" in need.problem, f"attention problem {need.problem!r} does not name the failure")
    expect(ResolutionAction.REFUND_TO_STORE_CREDIT in need.actions, f"ways out {need.actions} lack store credit")
    expect(listed, "not found by a search for NeedsAttention=true (its customer's orders) while stuck")
    expect(resolved.status is not OrderStatus.NEEDS_ATTENTION, f"still {resolved.status} after the resolution")
    mail = ("CONFIRMATION", "ESCALATION", "CANCELLATION")
    messages = await expect_refunded(run, order, *mail, reason=CancelReason.STAFF, store_credit=run.total)
    expect_message(messages, "ESCALATION", to=run.command.policy.customer_service_email, says="expired_or_canceled_card")
    expect_message(messages, "CANCELLATION", to=run.command.customer_email, says="store credit")
    # The refund to the card was tried and failed; none succeeded.
    tried = re.findall(r"\bre_\w+", " ".join(e.detail for e in order.timeline if e.event == "REFUND_PENDING"))
    statuses = await run.refund_statuses(tried)
    expect(len(tried) == 1 and statuses == ["failed"], f"card refunds {tried} ended {statuses}, expected one failed")
    return f"refund failed, NEEDS_ATTENTION, resolved: {run.total} to store credit"


async def listed_needing_attention(run: ScenarioOrder) -> bool:
    """Whether a search by the NeedsAttention search attribute finds the order (the search trails it by a moment)."""

    async def found() -> bool:
        return run.order_id in {row.order_id for row in await run.ctx.orders.list(attention=True, customer=run.customer_id)}

    try:
        return await poll(found, bool, timeout=run.ctx.timeout, late=lambda _: "never listed")
    except TimeoutError:
        return False
