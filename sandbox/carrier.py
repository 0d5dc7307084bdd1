"""Carrier stand-in: shipments with labels that can be voided until the parcel's first scan.

A shipment goes LABEL_CREATED -> PICKED_UP -> IN_TRANSIT -> OUT_FOR_DELIVERY -> DELIVERED through
scans that the warehouse/carrier side of the demo posts (a stage may repeat or be skipped, never go
back), or LABEL_CREATED -> VOIDED, or, after a successful intercept (sandbox.intercept), INTERCEPTED
-> RETURNED_TO_SENDER. Every scan and intercept outcome is also a carrier event, which the carrier
reports to the order (sandbox.carrier_events). Creating and voiding need an Idempotency-Key header;
voiding a voided label answers the voided shipment again, as voiding is naturally idempotent.
"""

import secrets
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.carrier_events import record_event
from sandbox.db import Db
from sandbox.tables import MAX_INTEGER, Scan, Shipment, new_id
from sandbox.timing import Timed, Timing
from sandbox.wire import ApiError, IdempotencyKeyHeader, not_found

STAGES = ("LABEL_CREATED", "PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")
ScanEvent = Literal["PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]


class Address(BaseModel):
    # Bounded and closed like a carrier's label API: whatever is sent is stored and printed on the label.
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    line1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$")


class CreateShipment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: str = Field(min_length=1, max_length=64)
    address: Address
    parcel_units: int = Field(gt=0, le=MAX_INTEGER, strict=True)


class ScanRequest(BaseModel):
    event: ScanEvent


router = APIRouter(prefix="/carrier", tags=["carrier"])


def shipment_json(shipment: Shipment, request: Request) -> dict[str, Any]:
    """The shipment as the carrier reports it now: its events so far, and a return once it has happened."""
    timing: Timing = request.app.state.timing
    happened = [event for event in shipment.events if event.due_at <= timing.clock()]
    returned = any(event.type == "RETURNED_TO_SENDER" for event in happened)
    return {
        "id": shipment.id, "object": "shipment", "order_id": shipment.order_id,
        "status": "RETURNED_TO_SENDER" if returned else shipment.status,
        "tracking_number": shipment.tracking_number,
        "label_url": str(request.url_for("get_label", shipment_id=shipment.id)),
        "parcel_units": shipment.parcel_units, "address": shipment.address,
        "pickup_on_hold": shipment.pickup_held_at is not None,
        "scans": [{"event": scan.event, "at": scan.at.isoformat()} for scan in shipment.scans],
        "events": [{"type": e.type, "at": e.at.isoformat(), "detail": e.detail} for e in happened],
    }


def find_shipment(session: Session, shipment_id: str) -> Shipment:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise not_found("shipment", shipment_id)
    return shipment


@router.post("/shipments")
def create_shipment(body: CreateShipment, key: IdempotencyKeyHeader, db: Db, request: Request) -> Response:
    def buy_label(session: Session) -> dict[str, Any]:
        shipment = Shipment(
            id=new_id("shp"), order_id=body.order_id, status="LABEL_CREATED", parcel_units=body.parcel_units,
            tracking_number=f"SBX{secrets.randbelow(10**12):012d}", address=body.address.model_dump(),
        )
        session.add(shipment)
        return shipment_json(shipment, request)

    return db.idempotent("carrier", key, request, body, buy_label).response()


@router.post("/shipments/{shipment_id}/void")
def void_shipment(shipment_id: str, key: IdempotencyKeyHeader, db: Db, request: Request) -> Response:
    def void(session: Session) -> dict[str, Any]:
        shipment = find_shipment(session, shipment_id)
        if shipment.status not in ("LABEL_CREATED", "VOIDED"):
            raise ApiError(
                409, "label_not_voidable",
                f"Shipment {shipment.id} has been scanned ({shipment.status}); its label can no longer be "
                "voided. Request an intercept instead.",
                shipment=shipment_json(shipment, request),
            )
        shipment.status = "VOIDED"
        return shipment_json(shipment, request)

    return db.idempotent("carrier", key, request, None, void).response()


@router.post("/shipments/{shipment_id}/scan")
def scan_shipment(shipment_id: str, body: ScanRequest, db: Db, timing: Timed, request: Request) -> dict[str, Any]:
    with db.writing() as session:
        shipment = find_shipment(session, shipment_id)
        if shipment.status == "VOIDED":
            raise ApiError(409, "label_voided", f"Shipment {shipment.id} was voided; its label cannot be scanned.")
        if shipment.status not in STAGES:
            raise ApiError(409, "parcel_intercepted", f"Shipment {shipment.id} was intercepted; it is on its way "
                           "back to the sender and takes no further scans.")
        if shipment.pickup_held_at is not None:
            raise ApiError(409, "pickup_on_hold", f"Shipment {shipment.id} is on hold at the shipper's request; "
                           "it is not collected until the hold is released.")
        if STAGES.index(body.event) < STAGES.index(shipment.status):
            raise ApiError(409, "scan_out_of_order",
                           f"Shipment {shipment.id} is already {shipment.status}; a {body.event} scan cannot follow.")
        at = timing.clock()
        shipment.status = body.event
        shipment.scans.append(Scan(event=body.event, at=at))
        record_event(shipment, body.event, at)
        return shipment_json(shipment, request)


@router.get("/shipments/{shipment_id}")
def get_shipment(shipment_id: str, db: Db, request: Request) -> dict[str, Any]:
    with db.reading() as session:
        return shipment_json(find_shipment(session, shipment_id), request)


@router.get("/shipments")
def list_shipments(db: Db, request: Request, order_id: str | None = None) -> dict[str, Any]:
    query = select(Shipment).order_by(Shipment.created_at)
    if order_id is not None:
        query = query.where(Shipment.order_id == order_id)
    with db.reading() as session:
        return {"object": "list", "data": [shipment_json(item, request) for item in session.scalars(query)]}


@router.get("/shipments/{shipment_id}/label", response_class=PlainTextResponse)
def get_label(shipment_id: str, db: Db) -> str:
    with db.reading() as session:
        shipment = find_shipment(session, shipment_id)
        to = shipment.address
        lines = [
            f"SANDBOX CARRIER  {shipment.tracking_number}",
            to["name"], to["line1"], f"{to['postal_code']} {to['city']}", to["country"],
            f"{shipment.parcel_units} unit(s)  {shipment.status}",
        ]
        return "\n".join(lines) + "\n"
