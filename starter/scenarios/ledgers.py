"""What each third party says about one scenario order: the gateway, the store-credit ledger, the carrier,
the stock and the mailbox. Scenarios check the order view against these."""

import asyncio
import time
from typing import Any

from pydantic import BaseModel

from activities.inventory import StockLevels
from starter.scenarios.context import Context


class PaymentFacts(BaseModel):
    """The gateway's side of the money, summed over the order's payment intents."""

    statuses: list[str]
    held: int
    captured: int
    refunded: int


class Ledgers:
    """Reads the stand-ins' records of `order_id` (and of its skus and customer)."""

    ctx: Context
    order_id: str
    customer_id: str
    skus: dict[str, str]

    async def payment(self) -> PaymentFacts:
        intents = await self._list("/v1/payment_intents")
        return PaymentFacts(
            statuses=[intent["status"] for intent in intents],
            held=sum(intent["amount_capturable"] for intent in intents),
            captured=sum(intent["amount_received"] for intent in intents),
            refunded=sum(intent["amount_refunded"] for intent in intents),
        )

    async def refund_statuses(self, refund_ids: list[str]) -> list[str]:
        """The gateway's status of each refund (pending, succeeded, failed)."""
        statuses = []
        for refund_id in refund_ids:
            response = await self.ctx.sandbox.get(f"/v1/refunds/{refund_id}")
            response.raise_for_status()
            statuses.append(response.json()["status"])
        return statuses

    async def store_credit(self) -> list[int]:
        """The amounts of the store-credit entries made for this order."""
        return [entry["amount"] for entry in await self._list("/v1/store_credit")]

    async def customer_balance(self, currency: str) -> int:
        response = await self.ctx.sandbox.get(f"/v1/customers/{self.customer_id}/credit")
        response.raise_for_status()
        return response.json()["balance"].get(currency, 0)

    async def shipments(self) -> list[str]:
        return [shipment["status"] for shipment in await self._list("/carrier/shipments")]

    async def levels(self) -> dict[str, StockLevels]:
        return {sku: await self.ctx.inventory.levels(sku) for sku in self.skus.values()}

    async def mail(self, at_least: int, within: float = 30.0) -> list[dict[str, Any]]:
        """The order's messages once `at_least` have arrived (sending trails the status by an activity)."""
        deadline = time.monotonic() + within
        while True:
            response = await self.ctx.sandbox.get("/mail", params={"order_id": self.order_id})
            response.raise_for_status()
            messages = response.json()
            if len(messages) >= at_least or time.monotonic() >= deadline:
                return messages
            await asyncio.sleep(0.2)

    async def _list(self, path: str) -> list[dict[str, Any]]:
        response = await self.ctx.sandbox.get(path, params={"order_id": self.order_id})
        response.raise_for_status()
        return response.json()["data"]
