"""Carrier stand-in, pickup holds (as Shopify's fulfillment holds): the shipper asks the carrier not to
collect a labelled parcel yet, while a cancellation request awaits review, and releases it later.

`POST /carrier/shipments/{id}/hold` and `/release` take an Idempotency-Key. A held parcel takes no
scan (409 `pickup_on_hold`) until it is released; its label can still be voided. Holding a parcel the
carrier already has is 409 `already_picked_up` (too late: intercept it instead); releasing a parcel
that is not held answers the shipment as it is, since the release has nothing left to do.
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from sandbox.carrier import find_shipment, shipment_json
from sandbox.db import Db
from sandbox.timing import Timed
from sandbox.wire import ApiError, IdempotencyKeyHeader

router = APIRouter(prefix="/carrier", tags=["carrier"])


@router.post("/shipments/{shipment_id}/hold")
def hold_pickup(shipment_id: str, key: IdempotencyKeyHeader, db: Db, timing: Timed, request: Request) -> Response:
    def hold(session: Session) -> dict[str, Any]:
        shipment = find_shipment(session, shipment_id)
        if shipment.status == "VOIDED":
            raise ApiError(409, "label_voided", f"Shipment {shipment.id} was voided: there is no parcel to hold.")
        if shipment.status != "LABEL_CREATED":
            raise ApiError(
                409, "already_picked_up",
                f"Shipment {shipment.id} is already {shipment.status}: too late to hold; request an intercept instead.",
                shipment=shipment_json(shipment, request),
            )
        shipment.pickup_held_at = shipment.pickup_held_at or timing.clock()
        return shipment_json(shipment, request)

    return db.idempotent("carrier", key, request, None, hold).response()


@router.post("/shipments/{shipment_id}/release")
def release_pickup(shipment_id: str, key: IdempotencyKeyHeader, db: Db, request: Request) -> Response:
    def release(session: Session) -> dict[str, Any]:
        shipment = find_shipment(session, shipment_id)
        shipment.pickup_held_at = None
        return shipment_json(shipment, request)

    return db.idempotent("carrier", key, request, None, release).response()
