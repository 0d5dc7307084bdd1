"""`POST /webhooks/carrier`: the carrier's scans and intercept answers, signed, each taken once.

The body is `{"id": "<the carrier's event id>", "order_id": ..., "event": {"type", "at", "tracking_number"}}`,
signed as runtime.signatures says. A missing, wrong or stale signature is 401 and nothing is signalled.
An event id already taken is answered 200 again without signalling. The event is marked taken only
after the order has it: a crash in between signals it twice, which the order takes as a repeated scan.
"""

from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, Field, ValidationError

from api.auth import store
from api.connection import Orders
from api.errors import ApiError
from domain.placement import Identifier
from domain.shipment import ShipmentEvent
from runtime.signatures import HEADER, SignatureRefused, verify

router = APIRouter(tags=["webhooks"])


class CarrierWebhook(BaseModel):
    id: str = Field(min_length=1, max_length=128)
    order_id: Identifier
    event: ShipmentEvent


@router.post("/webhooks/carrier")
async def carrier_webhook(
    request: Request, orders: Orders, signature: Annotated[str | None, Header(alias=HEADER)] = None
) -> dict[str, str]:
    """A carrier event. 401 unless signed with the carrier's secret within five minutes; 404 for an unknown order."""
    body = await request.body()
    settings = request.app.state.settings
    try:
        verify(signature, body, [settings.carrier_webhook_secret], now=int(request.app.state.clock()))
    except SignatureRefused as refusal:
        raise ApiError(401, "bad_signature", str(refusal)) from None
    try:
        webhook = CarrierWebhook.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        raise ApiError(422, "invalid", f"{'.'.join(str(p) for p in first['loc']) or 'body'}: {first['msg']}") from None
    events = store(request)
    if events.seen_carrier_event(webhook.id):
        return {"status": "duplicate"}
    await orders.event(webhook.order_id, webhook.event)
    events.mark_carrier_event(webhook.id, webhook.order_id)
    return {"status": "accepted"}
