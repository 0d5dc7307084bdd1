"""The PaymentGateway port over a Stripe-like HTTP API (the stand-in is sandbox.payments)."""

from typing import Any
from urllib.parse import quote

import httpx

from activities.http_refusals import error_of, refusal
from activities.payment import (
    AlreadyCaptured,
    Authorization,
    AuthorizePayment,
    CapturePayment,
    CardDeclined,
    FollowRefund,
    IssueStoreCredit,
    PaymentRefused,
    Refund,
    RefundPayment,
    StoreCredit,
    VoidAuthorization,
)


class HttpPaymentGateway:
    """PaymentGateway over the gateway's HTTP API, through an `httpx.AsyncClient` whose base_url the caller sets.

    Each call sends the request's idempotency key as the Idempotency-Key header, so a retried activity
    gets the gateway's first answer instead of acting twice. A 402 becomes CardDeclined (code: the decline
    code), any other refusal in the gateway's error shape PaymentRefused (code: the error type); 5xx,
    throttling and connection errors stay ordinary exceptions, which the activity retry policy retries.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def authorize(self, request: AuthorizePayment) -> Authorization:
        intent = answer(
            await self._post(
                "/v1/payment_intents",
                request.idempotency_key,
                {
                    "amount": request.amount_minor,
                    "currency": request.currency,
                    "payment_method": request.payment_method,
                    "order_id": request.order_id,
                },
            )
        )
        return Authorization(authorization_id=intent["id"], amount_minor=intent["amount_capturable"])

    async def capture(self, request: CapturePayment) -> int:
        path = f"/v1/payment_intents/{quote(request.authorization_id, safe='')}/capture"
        intent = answer(await self._post(path, request.idempotency_key, {"amount_to_capture": request.amount_minor}))
        return int(intent["amount_received"])

    async def void(self, request: VoidAuthorization) -> None:
        path = f"/v1/payment_intents/{quote(request.authorization_id, safe='')}/cancel"
        response = await self._post(path, request.idempotency_key, None)
        error = error_of(response) or {}
        intent = error.get("payment_intent") or {}
        if response.status_code == 409 and intent.get("status") == "canceled":
            # Released already (an earlier attempt under another key): the hold is gone, which is all void asks.
            return
        if response.status_code == 409 and intent.get("status") == "succeeded":
            raise AlreadyCaptured(str(error.get("message")), intent["amount_received"])
        answer(response)

    async def refund(self, request: RefundPayment) -> Refund:
        refund = answer(
            await self._post(
                "/v1/refunds",
                request.idempotency_key,
                {"payment_intent": request.authorization_id, "amount": request.amount_minor},
            )
        )
        return refund_of(refund)

    async def refund_status(self, request: FollowRefund) -> Refund:
        return refund_of(answer(await self._client.get(f"/v1/refunds/{quote(request.refund_id, safe='')}")))

    async def issue_store_credit(self, request: IssueStoreCredit) -> StoreCredit:
        path = f"/v1/customers/{quote(request.customer_id, safe='')}/credit"
        body = {"amount": request.amount_minor, "currency": request.currency, "order_id": request.order_id}
        credit = answer(await self._post(path, request.idempotency_key, body))
        return StoreCredit(credit_id=credit["id"], amount_minor=credit["amount"])

    async def _post(self, path: str, idempotency_key: str, body: dict[str, Any] | None) -> httpx.Response:
        return await self._client.post(path, json=body, headers={"Idempotency-Key": idempotency_key})


def refund_of(refund: dict[str, Any]) -> Refund:
    # The status as the gateway gives it: a refund is usually still pending when it is created.
    return Refund(
        refund_id=refund["id"], amount_minor=refund["amount"], status=refund["status"],
        failure_reason=refund.get("failure_reason"),
    )


def answer(response: httpx.Response) -> dict[str, Any]:
    if response.is_success:
        return response.json()
    error = refusal(response, "payment gateway")
    message = str(error.get("message") or f"the payment gateway refused with HTTP {response.status_code}")
    if response.status_code == 402:
        raise CardDeclined(message, code=error.get("decline_code") or error.get("code"))
    raise PaymentRefused(message, code=error.get("type"))
