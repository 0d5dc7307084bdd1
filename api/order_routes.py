"""Placing an order, reading it, and what other systems ask of it: cancellations, reviews, resolutions, scans."""

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from api.auth import Caller, allowed, store
from api.bodies import CancellationBody, Placed
from api.connection import Orders
from api.errors import ApiError
from domain.access import Action, authorize_cancellation
from domain.placement import NewOrder
from domain.requests import CancellationOutcome, CancellationReview, Resolution
from domain.shipment import ShipmentEvent
from starter.errors import OrderExists

router = APIRouter(tags=["orders"])

IdempotencyKey = Annotated[str | None, Header(max_length=255, description="the same key returns the same answer")]


def _view(order: Any) -> dict[str, Any]:
    return order.model_dump(mode="json")


@router.post("/orders", status_code=201, dependencies=[allowed(Action.PLACE)])
async def place_order(
    command: NewOrder, orders: Orders, request: Request, response: Response, idempotency_key: IdempotencyKey = None
) -> Placed:
    """Place an order. With an Idempotency-Key, a repeat gets the same order (200); the key with another body is 409."""
    placed = Placed(order_id=command.order_id, status_url=str(request.url_for("order_view", order_id=command.order_id)))
    response.headers["Location"] = placed.status_url
    repeat = False
    if idempotency_key:
        digest = hashlib.sha256(command.model_dump_json().encode()).hexdigest()
        first_digest, _, claimed = store(request).claim_placement(idempotency_key, digest, command.order_id)
        if first_digest != digest:
            raise ApiError(409, "idempotency_key_reused", "this Idempotency-Key was first used with another order body")
        repeat = not claimed
    try:
        await orders.place(command)
    except OrderExists:
        if not repeat:
            raise
        response.status_code = 200  # the order this very key placed before
    return placed


@router.get("/orders/{order_id}", name="order_view", dependencies=[allowed(Action.VIEW)])
async def order_view(order_id: str, orders: Orders) -> dict[str, Any]:
    """The order view: status, lines, money, shipment, cancellations, what needs a person, timeline."""
    return _view(await orders.status(order_id))


@router.post("/orders/{order_id}/cancellations")
async def cancel_order(
    order_id: str, body: CancellationBody, role: Caller, orders: Orders, idempotency_key: IdempotencyKey = None
) -> CancellationOutcome:
    """Ask to cancel all or some lines; the answer is synchronous. request_id (or the Idempotency-Key) makes it idempotent."""
    cancellation = body.request(idempotency_key)
    authorize_cancellation(role, cancellation)
    return await orders.cancel(order_id, cancellation)


@router.post("/orders/{order_id}/reviews", dependencies=[allowed(Action.REVIEW)])
async def review_cancellation(order_id: str, review: CancellationReview, orders: Orders) -> CancellationOutcome:
    """Customer service's APPROVE or DENY of a request awaiting review."""
    return await orders.review(order_id, review)


@router.post("/orders/{order_id}/resolutions", dependencies=[allowed(Action.RESOLVE)])
async def resolve_order(order_id: str, resolution: Resolution, orders: Orders) -> dict[str, Any]:
    """A way out of NEEDS_ATTENTION (RETRY, REFUND_TO_STORE_CREDIT, MARK_RESOLVED); answers the order view."""
    return _view(await orders.resolve(order_id, resolution))


@router.post("/orders/{order_id}/events", status_code=202, dependencies=[allowed(Action.REPORT_EVENT)])
async def report_event(order_id: str, event: ShipmentEvent, orders: Orders) -> dict[str, str]:
    """A warehouse or carrier scan of the order's parcel (taken by the order in the background)."""
    await orders.event(order_id, event)
    return {"status": "accepted"}
