"""The Forwarder's `send` over HTTP: the carrier POSTs each event to the orders API's webhook, signed
with its secret (runtime.signatures), as a real carrier's webhook would."""

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from runtime.signatures import HEADER, sign
from sandbox.carrier_events import Undeliverable

# The receiver will never take these: no such order (404), or a body it cannot read (422).
_NEVER = (404, 422)


class CarrierWebhook:
    """Posts `{"id", "order_id", "event"}` to `url`; a refusal other than _NEVER, or no answer, raises to be retried."""

    def __init__(
        self, url: str, secret: str, *, http: httpx.AsyncClient | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self._url, self._secret, self._clock = url, secret, clock
        self._http = http or httpx.AsyncClient(timeout=10)

    async def __call__(self, event_id: str, order_id: str, payload: dict[str, Any]) -> None:
        body = json.dumps({"id": event_id, "order_id": order_id, "event": payload}).encode()
        headers = {HEADER: sign(self._secret, int(self._clock()), body), "Content-Type": "application/json"}
        response = await self._http.post(self._url, content=body, headers=headers)
        if response.status_code in _NEVER:
            raise Undeliverable(f"HTTP {response.status_code}: {response.text[:200]}")
        response.raise_for_status()

    async def close(self) -> None:
        await self._http.aclose()
