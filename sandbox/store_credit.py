"""Payment gateway stand-in, store credit: a refund paid into the customer's balance with the shop
instead of back to their card. It settles at once (the money never leaves the shop).

`POST /v1/customers/{customer_id}/credit` adds an entry (Idempotency-Key required); the customer's
balance is the sum of their entries, per currency. `GET /v1/store_credit?order_id=` lists one order's
entries, so that the money of an order can be told in full beside its payment intents.
"""

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.currencies import Currency
from sandbox.db import Db
from sandbox.payments import Minor, Params
from sandbox.tables import StoreCredit, new_id
from sandbox.timing import Timed
from sandbox.wire import IdempotencyKeyHeader

router = APIRouter(prefix="/v1", tags=["payments"])

# As long as an order's customer_id may be (domain.placement.Identifier): a longer one is no customer of ours.
CustomerId = Annotated[str, Path(min_length=1, max_length=64)]


class CreateCredit(Params):
    amount: Minor
    currency: Currency
    order_id: str = Field(min_length=1, max_length=64)


def entry_json(entry: StoreCredit) -> dict[str, Any]:
    return {
        "id": entry.id, "object": "store_credit", "customer_id": entry.customer_id, "order_id": entry.order_id,
        "amount": entry.amount, "currency": entry.currency, "created": entry.created_at.isoformat(),
    }


def _entries(session: Session, customer_id: str) -> list[StoreCredit]:
    query = select(StoreCredit).where(StoreCredit.customer_id == customer_id).order_by(StoreCredit.created_at)
    return list(session.scalars(query))


def _balance(entries: list[StoreCredit]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for entry in entries:
        totals[entry.currency] += entry.amount
    return dict(totals)


@router.post("/customers/{customer_id}/credit")
def credit_customer(
    customer_id: CustomerId, body: CreateCredit, key: IdempotencyKeyHeader, db: Db, timing: Timed, request: Request
) -> Response:
    def credit(session: Session) -> dict[str, Any]:
        entry = StoreCredit(
            id=new_id("cr"), customer_id=customer_id, order_id=body.order_id, amount=body.amount,
            currency=body.currency.upper(), created_at=timing.clock(),
        )
        session.add(entry)
        session.flush()
        balance = _balance(_entries(session, customer_id))
        return {**entry_json(entry), "balance": balance[entry.currency]}

    return db.idempotent("payments", key, request, body, credit).response()


@router.get("/customers/{customer_id}/credit")
def get_customer_credit(customer_id: CustomerId, db: Db) -> dict[str, Any]:
    with db.reading() as session:
        entries = _entries(session, customer_id)
        return {
            "object": "customer_credit", "customer_id": customer_id, "balance": _balance(entries),
            "entries": [entry_json(entry) for entry in entries],
        }


@router.get("/store_credit")
def list_store_credit(db: Db, order_id: str | None = None) -> dict[str, Any]:
    query = select(StoreCredit).order_by(StoreCredit.created_at)
    if order_id is not None:
        query = query.where(StoreCredit.order_id == order_id)
    with db.reading() as session:
        return {"object": "list", "data": [entry_json(entry) for entry in session.scalars(query)]}
