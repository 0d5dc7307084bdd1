"""The payment stand-in takes only ISO 4217 currencies it knows, and says which code it refused."""

import httpx
import pytest

from activities.payment import AuthorizePayment, IssueStoreCredit, PaymentRefused
from activities.payment_http import HttpPaymentGateway

CARD = "pm_card_visa"


@pytest.fixture
def gateway(sandbox: httpx.AsyncClient) -> HttpPaymentGateway:
    return HttpPaymentGateway(sandbox)


def authorize(currency: str) -> AuthorizePayment:
    return AuthorizePayment(
        order_id="o-1", amount_minor=1_000, currency=currency, payment_method=CARD, idempotency_key=f"o-1:{currency}"
    )


@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP", "JPY", "CHF", "SEK", "usd"])
async def test_a_known_currency_is_authorized_and_kept_in_capitals(gateway: HttpPaymentGateway, sandbox, currency):
    authorization = await gateway.authorize(authorize(currency))

    shown = (await sandbox.get(f"/v1/payment_intents/{authorization.authorization_id}")).json()
    assert shown["currency"] == currency.upper()


@pytest.mark.parametrize("currency", ["XYZ", "ABC", "XTS"])  # not currencies, or ISO's code for testing
async def test_an_unknown_currency_is_refused_400_naming_it(sandbox: httpx.AsyncClient, currency: str) -> None:
    body = {"amount": 1_000, "currency": currency, "payment_method": CARD, "order_id": "o-1"}

    response = await sandbox.post("/v1/payment_intents", json=body, headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", "body.currency")
    assert f"'{currency}' is not an ISO 4217 currency" in error["message"]
    assert (await sandbox.get("/v1/payment_intents", params={"order_id": "o-1"})).json()["data"] == []


async def test_an_authorization_in_an_unknown_currency_is_a_refusal_not_a_retry(gateway: HttpPaymentGateway) -> None:
    with pytest.raises(PaymentRefused, match="'XYZ' is not an ISO 4217 currency"):
        await gateway.authorize(authorize("XYZ"))


async def test_store_credit_in_an_unknown_currency_is_refused_naming_it(gateway: HttpPaymentGateway) -> None:
    credit = IssueStoreCredit(order_id="o-1", customer_id="cus-1", amount_minor=500, currency="XYZ", idempotency_key="c-1")

    with pytest.raises(PaymentRefused, match="'XYZ' is not an ISO 4217 currency"):
        await gateway.issue_store_credit(credit)
