"""Payment gateway stand-in, refunds: money back from a captured PaymentIntent, possibly in parts.

Refunds are asynchronous, as at Stripe: created `pending`, they settle later (sandbox.refund_settlement),
which `GET /v1/refunds/{id}` shows. The live refunds of one intent (pending or succeeded; a failed one
never moved money) never add up to more than it received.
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field
from sqlalchemy.orm import Session

from sandbox.db import Db
from sandbox.payments import Minor, Params, find_intent, unexpected_state
from sandbox.refund_settlement import settle, settle_due
from sandbox.tables import PaymentIntent, Refund, new_id
from sandbox.timing import Timed
from sandbox.wire import ApiError, IdempotencyKeyHeader, not_found


class CreateRefund(Params):
    payment_intent: str = Field(min_length=1)
    amount: Minor | None = None


router = APIRouter(prefix="/v1", tags=["payments"])


def refund_json(refund: Refund, intent: PaymentIntent) -> dict[str, Any]:
    return {
        "id": refund.id, "object": "refund", "amount": refund.amount, "currency": intent.currency,
        "status": refund.status, "failure_reason": refund.failure_reason, "payment_intent": intent.id,
    }


@router.post("/refunds")
def create_refund(body: CreateRefund, key: IdempotencyKeyHeader, db: Db, timing: Timed, request: Request) -> Response:
    def refund(session: Session) -> dict[str, Any]:
        # A refund that has failed by now gives its amount back to what may be refunded.
        settle(session, timing)
        intent = find_intent(session, body.payment_intent, param="payment_intent")
        if intent.status != "succeeded":
            raise unexpected_state(intent, "refund", "succeeded (captured)")
        left = intent.amount_received - intent.amount_refunded
        if left == 0:
            raise ApiError(
                400, "charge_already_refunded",
                f"{intent.id} has already been refunded in full ({intent.amount_received}).", param="payment_intent",
            )
        # Without an amount, Stripe refunds whatever is left.
        amount = body.amount if body.amount is not None else left
        if amount > left:
            raise ApiError(
                400, "amount_too_large",
                f"Refund amount ({amount}) is greater than the {left} left to refund of the "
                f"{intent.amount_received} captured on {intent.id}.",
                param="amount",
            )
        created = Refund(id=new_id("re"), amount=amount, status="pending", created_at=timing.clock())
        intent.refunds.append(created)
        return refund_json(created, intent)

    return db.idempotent("payments", key, request, body, refund).response()


@router.get("/refunds/{refund_id}")
def get_refund(refund_id: str, db: Db, timing: Timed) -> dict[str, Any]:
    settle_due(db, timing)
    with db.reading() as session:
        refund = session.get(Refund, refund_id)
        if refund is None:
            raise not_found("refund", refund_id)
        return refund_json(refund, refund.payment_intent)
