"""The receiver stand-in: a system subscribed to order events (webhooks out), as tests and `make run` need one.

    POST /receiver/{name}/events   an order event signed for subscriber `name`: 401 if the signature is
                                   missing, wrong or stale; an event id already taken is answered 200
                                   again and counted as a duplicate, not stored twice
    GET  /receiver/{name}/events   what it took, in the order it first took each (?order_id= for one order)
    GET  /receiver/admin/failures  the failures it is told to answer with
    PUT  /receiver/admin/failures  {"fail_next": n, "lose_next": n, "down": bool}: refuse the next n
                                   deliveries (503), take the next n but lose the answer (502, so the
                                   sender sends them again), or refuse all while down

Events are stored in the sandbox database (received_events), keyed by subscriber and event id.
"""

import json
import time
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from runtime.signatures import HEADER, SignatureRefused, verify
from runtime.webhook_subscribers import Subscriber
from sandbox.db import Database, Db
from sandbox.tables import Base, now


class ReceivedEvent(Base):
    __tablename__ = "received_events"

    subscriber: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(140), primary_key=True)
    arrival: Mapped[int] = mapped_column(Integer, index=True)  # the order of first arrival, over all events
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    duplicates: Mapped[int] = mapped_column(Integer, default=0)


class Failures(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fail_next: int = Field(0, ge=0)
    lose_next: int = Field(0, ge=0)
    down: bool = False


def install_receiver(app: FastAPI, subscribers: list[Subscriber]) -> None:
    """Receive order events for these subscribers on `app` (the sandbox), stored in its database."""
    database: Database = app.state.database
    ReceivedEvent.__table__.create(database.engine, checkfirst=True)  # type: ignore[attr-defined]
    app.state.receiver_failures = Failures()
    app.include_router(_router({subscriber.name: subscriber.secret for subscriber in subscribers}))


def _router(secrets: dict[str, str]) -> APIRouter:
    router = APIRouter(prefix="/receiver", tags=["receiver"])

    @router.get("/admin/failures")
    def get_failures(request: Request) -> Failures:
        failures: Failures = request.app.state.receiver_failures
        return failures

    @router.put("/admin/failures")
    def set_failures(body: Failures, request: Request) -> Failures:
        request.app.state.receiver_failures = body
        return body

    @router.post("/{name}/events")
    async def receive(name: str, request: Request, database: Db) -> dict[str, Any]:
        if name not in secrets:
            raise HTTPException(404, f"no subscriber {name!r} here")
        body = await request.body()
        try:
            verify(request.headers.get(HEADER), body, [secrets[name]], now=int(time.time()))
        except SignatureRefused as refusal:
            raise HTTPException(401, str(refusal)) from None
        failures: Failures = request.app.state.receiver_failures
        if failures.down or failures.fail_next:
            failures.fail_next = max(failures.fail_next - 1, 0)
            raise HTTPException(503, "receiver failing (told to by /receiver/admin/failures)")
        try:
            event = json.loads(body)
            event_id, order_id, kind = str(event["id"]), str(event["order_id"]), str(event["type"])
        except (ValueError, KeyError, TypeError):
            raise HTTPException(422, "expected an order event: {id, type, order_id, at, data}") from None
        duplicate = _store(database, name, event_id, order_id, kind, event)
        if failures.lose_next:
            failures.lose_next -= 1
            raise HTTPException(502, "receiver took the event but lost its answer (told to by /receiver/admin/failures)")
        return {"received": event_id, "duplicate": duplicate}

    @router.get("/{name}/events")
    def received(name: str, database: Db, order_id: str | None = None) -> list[dict[str, Any]]:
        query = select(ReceivedEvent).where(ReceivedEvent.subscriber == name).order_by(ReceivedEvent.arrival)
        if order_id is not None:
            query = query.where(ReceivedEvent.order_id == order_id)
        with database.reading() as session:
            return [
                {"id": row.event_id, "type": row.type, "order_id": row.order_id, "duplicates": row.duplicates, "body": row.body}
                for row in session.scalars(query)
            ]

    return router


def _store(database: Database, subscriber: str, event_id: str, order_id: str, kind: str, event: dict[str, Any]) -> bool:
    """Keep the event once; True (and one more duplicate counted) when it was kept before."""
    with database.writing() as session:
        known = session.get(ReceivedEvent, (subscriber, event_id))
        if known is not None:
            known.duplicates += 1
            return True
        arrival = (session.scalar(select(ReceivedEvent.arrival).order_by(ReceivedEvent.arrival.desc()).limit(1)) or 0) + 1
        session.add(
            ReceivedEvent(
                subscriber=subscriber, event_id=event_id, arrival=arrival, order_id=order_id, type=kind,
                body=event, received_at=now(), duplicates=0,
            )
        )
        return False
