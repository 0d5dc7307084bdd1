"""The audit's reader of the payment gateway: payment intents and the store-credit ledger, per order."""

import httpx

from domain.audit_facts import CreditFacts, IntentFacts
from starter.audit.sandbox import listing, per_order


async def read_intents(http: httpx.AsyncClient) -> dict[str, list[IntentFacts]]:
    """Every payment intent (reading them settles refunds that are due, as the gateway's API does)."""
    intents = await listing(http, "/v1/payment_intents")
    return per_order(intents, lambda i: IntentFacts(
        intent_id=i["id"], status=i["status"], currency=i["currency"], amount_minor=i["amount"],
        received_minor=i["amount_received"], refunded_minor=i["amount_refunded"],
    ))


async def read_credits(http: httpx.AsyncClient) -> dict[str, list[CreditFacts]]:
    entries = await listing(http, "/v1/store_credit")
    return per_order(entries, lambda e: CreditFacts(amount_minor=e["amount"], currency=e["currency"]))
