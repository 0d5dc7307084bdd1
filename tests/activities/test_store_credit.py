"""Store credit: a refund paid into the customer's balance with the shop, idempotent per key."""

import httpx
import pytest

from activities.payment import IssueStoreCredit, PaymentRefused
from activities.payment_http import HttpPaymentGateway

CUSTOMER = "cus-ada"


@pytest.fixture
def gateway(sandbox: httpx.AsyncClient) -> HttpPaymentGateway:
    return HttpPaymentGateway(sandbox)


def credit(amount: int, key: str, order_id: str = "order-1", currency: str = "EUR") -> IssueStoreCredit:
    return IssueStoreCredit(
        order_id=order_id, customer_id=CUSTOMER, amount_minor=amount, currency=currency, idempotency_key=key
    )


async def balance_of(sandbox: httpx.AsyncClient, customer_id: str = CUSTOMER) -> dict:
    return (await sandbox.get(f"/v1/customers/{customer_id}/credit")).json()


async def test_store_credit_adds_to_the_customers_balance_in_each_currency(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient
):
    await gateway.issue_store_credit(credit(500, key="k-1"))
    await gateway.issue_store_credit(credit(700, key="k-2", order_id="order-2"))
    issued = await gateway.issue_store_credit(credit(300, key="k-3", currency="USD"))

    ledger = await balance_of(sandbox)

    assert issued.amount_minor == 300
    assert issued.credit_id.startswith("cr_")
    assert ledger["balance"] == {"EUR": 1_200, "USD": 300}
    assert [(e["amount"], e["currency"], e["order_id"]) for e in ledger["entries"]] == [
        (500, "EUR", "order-1"), (700, "EUR", "order-2"), (300, "USD", "order-1")
    ]


async def test_issuing_store_credit_again_under_its_key_credits_once(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient
):
    first = await gateway.issue_store_credit(credit(500, key="order-1:store-credit:r-1"))

    again = await gateway.issue_store_credit(credit(500, key="order-1:store-credit:r-1"))

    assert again == first
    assert (await balance_of(sandbox))["balance"] == {"EUR": 500}


async def test_the_credit_answer_tells_the_balance_after_it(sandbox: httpx.AsyncClient):
    path = f"/v1/customers/{CUSTOMER}/credit"
    await sandbox.post(
        path, json={"amount": 500, "currency": "eur", "order_id": "o-1"}, headers={"Idempotency-Key": "a"}
    )

    second = await sandbox.post(
        path, json={"amount": 250, "currency": "EUR", "order_id": "o-2"}, headers={"Idempotency-Key": "b"}
    )

    assert (second.json()["amount"], second.json()["currency"], second.json()["balance"]) == (250, "EUR", 750)


async def test_an_orders_store_credit_is_listed_beside_its_payment_intents(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient
):
    await gateway.issue_store_credit(credit(500, key="k-1", order_id="order-1"))
    await gateway.issue_store_credit(credit(700, key="k-2", order_id="order-2"))

    listed = (await sandbox.get("/v1/store_credit", params={"order_id": "order-1"})).json()["data"]

    assert [(entry["customer_id"], entry["amount"]) for entry in listed] == [(CUSTOMER, 500)]


async def test_a_customer_without_credit_has_an_empty_balance(sandbox: httpx.AsyncClient):
    ledger = await balance_of(sandbox, "cus-nobody")

    assert (ledger["balance"], ledger["entries"]) == ({}, [])


async def test_crediting_without_an_idempotency_key_is_rejected(sandbox: httpx.AsyncClient):
    response = await sandbox.post(
        f"/v1/customers/{CUSTOMER}/credit", json={"amount": 500, "currency": "EUR", "order_id": "o-1"}
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["message"]


async def test_a_credit_too_large_to_store_is_refused_with_a_reason(gateway: HttpPaymentGateway):
    with pytest.raises(PaymentRefused) as refused:
        await gateway.issue_store_credit(credit(2**63, key="k-1"))

    assert refused.value.code == "invalid_request_error"
    assert "body.amount" in str(refused.value)


async def test_a_customer_id_longer_than_an_orders_is_refused_400_naming_the_field(sandbox: httpx.AsyncClient):
    too_long = "c" * 65  # an order's customer_id is 1 to 64 characters (domain.placement.Identifier)

    response = await sandbox.post(
        f"/v1/customers/{too_long}/credit",
        json={"amount": 500, "currency": "EUR", "order_id": "o-1"},
        headers={"Idempotency-Key": "k-1"},
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", "path.customer_id")
    assert "customer_id" in error["message"] and "64 characters" in error["message"]
    assert (await sandbox.get("/v1/store_credit", params={"order_id": "o-1"})).json()["data"] == []


async def test_a_customer_id_as_long_as_an_orders_may_be_is_credited(gateway: HttpPaymentGateway):
    longest = "c" * 64

    issued = await gateway.issue_store_credit(credit(500, key="k-1").model_copy(update={"customer_id": longest}))

    assert issued.amount_minor == 500
