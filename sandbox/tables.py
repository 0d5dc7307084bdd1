"""The stand-ins' tables: payment intents, refunds, store credit, shipments, their scans and carrier
events, stored idempotent replies."""

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


# SQLite stores an INTEGER in 8 signed bytes: a larger count or amount is the client's mistake (400), not a 500.
MAX_INTEGER = 2**63 - 1

# Refunds that hold money back from a further refund; a failed or canceled one gives its amount back.
LIVE_REFUND_STATUSES = ("pending", "requires_action", "succeeded")


class UtcDateTime(TypeDecorator[datetime]):
    """A UTC moment. SQLite keeps no zone: stored as naive UTC (so stored text compares in time order),
    read back aware, so that it compares with an injected clock's `now`."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime}


class PaymentIntent(Base):
    __tablename__ = "payment_intents"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    card_last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(32))
    amount_capturable: Mapped[int]
    amount_received: Mapped[int] = mapped_column(default=0)
    # Set by a test card whose refunds fail (the card's full number is not kept, only its fate).
    refund_failure: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now)
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment_intent", order_by="Refund.created_at")

    @property
    def amount_refunded(self) -> int:
        return sum(refund.amount for refund in self.refunds if refund.status in LIVE_REFUND_STATUSES)


class Refund(Base):
    __tablename__ = "refunds"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payment_intent_id: Mapped[str] = mapped_column(ForeignKey("payment_intents.id"), index=True)
    payment_intent: Mapped[PaymentIntent] = relationship(back_populates="refunds")
    amount: Mapped[int]
    # pending at creation; settled on a later read (sandbox.refund_settlement), as refunds are asynchronous.
    status: Mapped[str] = mapped_column(String(32), index=True)
    failure_reason: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now)


class StoreCredit(Base):
    __tablename__ = "store_credits"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=now)


class Shipment(Base):
    __tablename__ = "shipments"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    tracking_number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(32))
    parcel_units: Mapped[int]
    address: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now)
    # The shipper asked the carrier not to collect the parcel yet (sandbox.pickup_hold).
    pickup_held_at: Mapped[datetime | None] = mapped_column(default=None)
    scans: Mapped[list["Scan"]] = relationship(order_by="Scan.id")
    events: Mapped[list["CarrierEvent"]] = relationship(order_by="CarrierEvent.id")


class Scan(Base):
    __tablename__ = "scans"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=now)


class CarrierEvent(Base):
    """The carrier's webhook outbox: written with the change it reports, sent by sandbox.carrier_events."""

    __tablename__ = "carrier_events"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    tracking_number: Mapped[str] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    # Not sent before: how a parcel's return, decided at once, takes time to happen.
    due_at: Mapped[datetime] = mapped_column(index=True)
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # Why an event was given up on (the receiver knows no such order), so it does not block the rest.
    dead_letter: Mapped[str | None] = mapped_column(Text, default=None)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    # Keys are per system, like two real vendors' accounts: the gateway and the carrier never share them.
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int]
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
