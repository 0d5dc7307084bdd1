"""EventReceivers over HTTP: a signed POST per event to the subscriber's URL (runtime.signatures)."""

import time
from collections.abc import Callable, Sequence

import httpx

from domain.order_events import OrderEvent
from runtime.signatures import HEADER, sign
from runtime.webhook_subscribers import Subscriber

EVENT_ID_HEADER = "Webhook-Id"


class DeliveryRefused(Exception):
    """The subscriber did not take the event (no answer, or not a 2xx); the delivery workflow tries again later."""


class HttpEventReceivers:
    """POSTs the event's JSON with `Webhook-Signature: t=...,v1=...` and `Webhook-Id: <event id>`."""

    def __init__(
        self, subscribers: Sequence[Subscriber], http: httpx.AsyncClient, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._subscribers = {subscriber.name: subscriber for subscriber in subscribers}
        self._http, self._clock = http, clock

    async def deliver(self, subscriber: str, event: OrderEvent) -> None:
        target = self._subscribers.get(subscriber)
        if target is None:
            # Configuration can be fixed while the delivery waits to be tried again.
            raise DeliveryRefused(f"no subscriber {subscriber!r} is configured on this worker (ORDERS_WEBHOOK_SUBSCRIBERS)")
        body = event.model_dump_json().encode()
        headers = {
            HEADER: sign(target.secret, int(self._clock()), body),
            EVENT_ID_HEADER: event.id,
            "Content-Type": "application/json",
        }
        try:
            response = await self._http.post(target.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise DeliveryRefused(f"{subscriber}: no answer ({type(error).__name__}: {error})") from None
        if not response.is_success:
            raise DeliveryRefused(f"{subscriber}: HTTP {response.status_code}: {response.text[:200]}")
