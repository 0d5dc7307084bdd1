"""Carrier stand-in, intercepts (UPS Delivery Intercept, USPS Package Intercept): return a parcel to its
sender before the first delivery attempt. Best effort, and the answer comes later.

`POST /carrier/shipments/{id}/intercept` (Idempotency-Key required) answers 202 INTERCEPT_REQUESTED,
or 409 `nothing_to_intercept` for a parcel never scanned or voided (void its label instead). The
carrier decides at once, by stage and rule, and reports the outcome as carrier events:

| parcel's last scan                    | events                                                     |
|---------------------------------------|------------------------------------------------------------|
| PICKED_UP, IN_TRANSIT                 | INTERCEPTED now, RETURNED_TO_SENDER after `return_after`    |
| OUT_FOR_DELIVERY, DELIVERED           | INTERCEPT_FAILED now (too late)                             |
| any, address postal_code 00000 (test) | INTERCEPT_FAILED now (the carrier could not find it)        |
| already INTERCEPTED                   | none: the parcel is already on its way back                 |
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from sandbox.carrier import find_shipment, shipment_json
from sandbox.carrier_events import record_event
from sandbox.db import Db
from sandbox.tables import Shipment
from sandbox.timing import Timed
from sandbox.wire import ApiError, IdempotencyKeyHeader

INTERCEPTABLE = ("PICKED_UP", "IN_TRANSIT")
ALWAYS_REFUSED_POSTAL_CODE = "00000"

router = APIRouter(prefix="/carrier", tags=["carrier"])


def _refusal(shipment: Shipment) -> str | None:
    """Why the carrier cannot intercept this parcel, or None if it can."""
    if shipment.address.get("postal_code") == ALWAYS_REFUSED_POSTAL_CODE:
        return "the parcel could not be intercepted (test address, postal code 00000)"
    if shipment.status not in INTERCEPTABLE:
        return f"the parcel is already {shipment.status}: too late to intercept; return it after delivery"
    return None


@router.post("/shipments/{shipment_id}/intercept", status_code=202)
def intercept_shipment(
    shipment_id: str, key: IdempotencyKeyHeader, db: Db, timing: Timed, request: Request
) -> Response:
    def intercept(session: Session) -> dict[str, Any]:
        shipment = find_shipment(session, shipment_id)
        if shipment.status in ("LABEL_CREATED", "VOIDED"):
            what = "was voided" if shipment.status == "VOIDED" else "has not been scanned"
            raise ApiError(
                409, "nothing_to_intercept",
                f"Shipment {shipment.id} {what}: there is no parcel with the carrier to intercept."
                + ("" if shipment.status == "VOIDED" else " Void its label instead."),
                shipment=shipment_json(shipment, request),
            )
        at = timing.clock()
        refusal = None if shipment.status == "INTERCEPTED" else _refusal(shipment)
        if refusal is not None:
            record_event(shipment, "INTERCEPT_FAILED", at, detail=refusal)
        elif shipment.status != "INTERCEPTED":
            shipment.status = "INTERCEPTED"
            record_event(shipment, "INTERCEPTED", at)
            returned_at = at + timing.return_after
            record_event(shipment, "RETURNED_TO_SENDER", returned_at, due_at=returned_at)
        return {
            "id": shipment.id, "object": "intercept_request", "status": "INTERCEPT_REQUESTED",
            "tracking_number": shipment.tracking_number,
        }

    return db.idempotent("carrier", key, request, None, intercept, success=202).response()
