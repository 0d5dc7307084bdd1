"""The carrier's webhook: every carrier event is written to an outbox (`carrier_events`) in the
transaction of the change it reports, and a Forwarder posts it to the orders API (sandbox.carrier_webhook).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update

from sandbox.db import Database
from sandbox.tables import CarrierEvent, Shipment, now
from sandbox.timing import Clock

log = structlog.get_logger("sandbox.carrier_events")

# Sends one event to one order: (event_id, order_id, {"type", "at", "tracking_number"}).
Send = Callable[[str, str, dict[str, Any]], Awaitable[None]]


class Undeliverable(Exception):
    """The receiver will never take this event (its order is unknown there): sending it again cannot help."""


def record_event(
    shipment: Shipment, type: str, at: datetime, *, due_at: datetime | None = None, detail: str | None = None
) -> None:
    """Add an event to the outbox, in the caller's transaction; it is not sent before `due_at`."""
    # Through the relationship, so that a shipment read later in this transaction lists it.
    shipment.events.append(CarrierEvent(
        order_id=shipment.order_id, tracking_number=shipment.tracking_number,
        type=type, at=at, due_at=due_at or at, detail=detail,
    ))


def payload(event: CarrierEvent) -> dict[str, Any]:
    """The event as the order takes it: the fields of its ShipmentEvent, and no more (it forbids extras)."""
    return {"type": event.type, "at": event.at.isoformat(), "tracking_number": event.tracking_number}


def event_id(event: CarrierEvent) -> str:
    """The id receivers deduplicate by: unique across sandbox databases, since tracking numbers are random."""
    return f"evt_{event.tracking_number}_{event.id}"


@dataclass(frozen=True)
class _Due:
    id: int
    event_id: str
    order_id: str
    type: str
    payload: dict[str, Any]


class Forwarder:
    """Reports the outbox's due events, oldest first, through `send`, and marks each delivered once sent.

    Delivery is at least once: a crash between sending and marking sends that event again under the
    same event id, which the receiver deduplicates. A failure to send (the API or Temporal unreachable)
    stops the pass, leaving that event and the later ones in order for the next pass; `run` then backs
    off. An event the receiver will never take (Undeliverable: no such order) is marked delivered with
    a dead-letter note, so that it does not hold up the others.
    """

    def __init__(
        self, database: Database, send: Send, *, clock: Clock = now, batch: int = 100,
        max_backoff: timedelta = timedelta(seconds=5),
    ) -> None:
        self._database, self._send, self._clock = database, send, clock
        self._batch, self._max_backoff = batch, max_backoff

    async def deliver_pending(self) -> int:
        """One pass over the due events; how many were delivered. A failure to send propagates."""
        delivered = 0
        for event in await asyncio.to_thread(self._due):
            try:
                await self._send(event.event_id, event.order_id, event.payload)
            except Undeliverable as error:
                note = f"undeliverable to order {event.order_id}: {error}"
                await asyncio.to_thread(self._mark, event.id, note)
                log.warning("carrier_event.dead_letter", event_id=event.id, order_id=event.order_id, note=note)
                continue
            await asyncio.to_thread(self._mark, event.id, None)
            log.info("carrier_event.delivered", event_id=event.id, order_id=event.order_id, type=event.type)
            delivered += 1
        return delivered

    async def run(self, stop: asyncio.Event, interval: timedelta = timedelta(milliseconds=200)) -> None:
        """Deliver every `interval` until `stop` is set, backing off (up to `max_backoff`) while sending fails."""
        failures = 0
        while not stop.is_set():
            try:
                await self.deliver_pending()
                failures = 0
            except Exception as error:  # noqa: BLE001 - whatever the failure, the events wait for the next pass
                failures += 1
                # Loud on the first failure and now and then after: the API may simply not be up yet.
                report = log.warning if failures == 1 or failures % 20 == 0 else log.debug
                report("carrier_events.delivery_failed", error=repr(error), failures=failures)
            pause = min(interval * 2 ** min(failures, 10), self._max_backoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause.total_seconds())

    def _due(self) -> list[_Due]:
        query = (
            select(CarrierEvent)
            .where(CarrierEvent.delivered_at.is_(None), CarrierEvent.due_at <= self._clock())
            .order_by(CarrierEvent.id)
            .limit(self._batch)
        )
        with self._database.reading() as session:
            return [_Due(e.id, event_id(e), e.order_id, e.type, payload(e)) for e in session.scalars(query)]

    def _mark(self, event_id: int, dead_letter: str | None) -> None:
        with self._database.writing() as session:
            session.execute(
                update(CarrierEvent)
                .where(CarrierEvent.id == event_id)
                .values(delivered_at=self._clock(), dead_letter=dead_letter)
            )
