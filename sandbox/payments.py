"""Payment gateway stand-in: Stripe-like PaymentIntents with manual capture (refunds: sandbox.refunds).

Amounts are integer minor units. Every POST needs an Idempotency-Key header (see sandbox.db); the
test payment methods (tokens) for `payment_method` and what they answer are in sandbox.cards.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.payment_method import looks_like_card_number
from sandbox.cards import CARDS, TestCard
from sandbox.currencies import Currency
from sandbox.db import Db
from sandbox.refund_settlement import settle_due
from sandbox.tables import MAX_INTEGER, PaymentIntent, new_id
from sandbox.timing import Timed, Timing
from sandbox.wire import ApiError, IdempotencyKeyHeader, not_found

Minor = Annotated[int, Field(gt=0, le=MAX_INTEGER, strict=True, description="integer minor units")]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateIntent(Params):
    amount: Minor
    currency: Currency
    payment_method: str = Field(min_length=1, max_length=64)
    order_id: str = Field(min_length=1, max_length=64)


class Capture(Params):
    amount_to_capture: Minor | None = None


router = APIRouter(prefix="/v1", tags=["payments"])


def intent_json(intent: PaymentIntent) -> dict[str, Any]:
    return {
        "id": intent.id, "object": "payment_intent", "order_id": intent.order_id, "status": intent.status,
        "amount": intent.amount, "amount_capturable": intent.amount_capturable,
        "amount_received": intent.amount_received, "amount_refunded": intent.amount_refunded,
        "currency": intent.currency, "capture_method": "manual", "card_last4": intent.card_last4,
    }


def lapsed(intent: PaymentIntent, timing: Timing) -> bool:
    """An uncaptured hold past its life: Stripe cancels the PaymentIntent (cancellation_reason automatic)."""
    return intent.status == "requires_capture" and timing.clock() - intent.created_at >= timing.hold_valid_for


def lapse(intent: PaymentIntent, timing: Timing) -> None:
    if lapsed(intent, timing):
        intent.status, intent.amount_capturable = "canceled", 0


def intent_view(intent: PaymentIntent, timing: Timing) -> dict[str, Any]:
    """The intent as a read finds it: a lapsed hold reads as cancelled, holding nothing."""
    shown = intent_json(intent)
    if lapsed(intent, timing):
        shown.update(status="canceled", amount_capturable=0)
    return shown


def find_intent(session: Session, intent_id: str, param: str = "id") -> PaymentIntent:
    intent = session.get(PaymentIntent, intent_id)
    if intent is None:
        raise not_found("payment_intent", intent_id, param)
    return intent


def unexpected_state(intent: PaymentIntent, action: str, needed: str) -> ApiError:
    message = f"You cannot {action} this PaymentIntent because it has a status of {intent.status}; it must be {needed}."
    return ApiError(409, "payment_intent_unexpected_state", message, payment_intent=intent_json(intent))


def refuse_card_number(payment_method: str) -> None:
    """PCI DSS: a card number must not be stored, so it is refused before anything is (not even its digest)."""
    if looks_like_card_number(payment_method):
        raise ApiError(422, "invalid_request_error", "Card numbers are not accepted: send the card's token "
                       "(pm_...; test tokens such as pm_card_visa are listed in sandbox.cards).",
                       code="raw_card_number", param="payment_method")


def card_for(payment_method: str) -> TestCard:
    card = CARDS.get(payment_method)
    if card is None:
        raise ApiError(400, "invalid_request_error", f"No such PaymentMethod: '{payment_method}'",
                       code="resource_missing", param="payment_method")
    return card


@router.post("/payment_intents")
def create_payment_intent(body: CreateIntent, key: IdempotencyKeyHeader, db: Db, timing: Timed, request: Request) -> Response:
    refuse_card_number(body.payment_method)

    def authorize(session: Session) -> dict[str, Any]:
        card = card_for(body.payment_method)
        if card.processing_error:
            raise ApiError(500, "api_error", "An error occurred while processing your card. Try again.",
                           code="processing_error")
        declined = card.decline
        intent = PaymentIntent(
            id=new_id("pi"), order_id=body.order_id, amount=body.amount, currency=body.currency.upper(),
            card_last4=card.last4, amount_received=0,
            status="requires_payment_method" if declined else "requires_capture",
            amount_capturable=0 if declined else body.amount, refund_failure=card.refund_failure,
            created_at=timing.clock(),
        )
        # A declined attempt is kept, as at Stripe, so that the order's payment history shows it.
        session.add(intent)
        if declined:
            code, decline_code, message = declined
            extra = {"decline_code": decline_code} if decline_code else {}
            raise ApiError(402, "card_error", message, code=code, **extra, payment_intent=intent_json(intent))
        return intent_json(intent)

    return db.idempotent("payments", key, request, body, authorize).response()


@router.post("/payment_intents/{intent_id}/capture")
def capture_payment_intent(
    intent_id: str, key: IdempotencyKeyHeader, db: Db, timing: Timed, request: Request, body: Capture | None = None
) -> Response:
    def capture(session: Session) -> dict[str, Any]:
        intent = find_intent(session, intent_id)
        if lapsed(intent, timing):
            lapse(intent, timing)
            raise ApiError(400, "charge_expired_for_capture",
                           "The authorization on this card expired before it was captured; authorize again.")
        if intent.status != "requires_capture":
            raise unexpected_state(intent, "capture", "requires_capture")
        amount = body.amount_to_capture if body and body.amount_to_capture is not None else intent.amount_capturable
        if amount > intent.amount_capturable:
            raise ApiError(400, "amount_too_large", f"amount_to_capture ({amount}) is greater than the "
                           f"{intent.amount_capturable} authorized.", param="amount_to_capture")
        # Stripe releases the uncaptured remainder of the hold: one capture per intent.
        intent.status, intent.amount_received, intent.amount_capturable = "succeeded", amount, 0
        return intent_json(intent)

    return db.idempotent("payments", key, request, body, capture).response()


@router.post("/payment_intents/{intent_id}/cancel")
def cancel_payment_intent(intent_id: str, key: IdempotencyKeyHeader, db: Db, timing: Timed, request: Request) -> Response:
    def cancel(session: Session) -> dict[str, Any]:
        intent = find_intent(session, intent_id)
        lapse(intent, timing)
        if intent.status != "requires_capture":
            raise unexpected_state(intent, "cancel", "requires_capture")
        intent.status, intent.amount_capturable = "canceled", 0
        return intent_json(intent)

    return db.idempotent("payments", key, request, None, cancel).response()


@router.get("/payment_intents/{intent_id}")
def get_payment_intent(intent_id: str, db: Db, timing: Timed) -> dict[str, Any]:
    settle_due(db, timing)
    with db.reading() as session:
        return intent_view(find_intent(session, intent_id), timing)


@router.get("/payment_intents")
def list_payment_intents(db: Db, timing: Timed, order_id: str | None = None) -> dict[str, Any]:
    settle_due(db, timing)
    query = select(PaymentIntent).order_by(PaymentIntent.created_at)
    if order_id is not None:
        query = query.where(PaymentIntent.order_id == order_id)
    with db.reading() as session:
        return {"object": "list", "data": [intent_view(intent, timing) for intent in session.scalars(query)]}
