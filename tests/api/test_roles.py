"""API keys and roles: who gets in, what each role may ask, and that a refusal reaches no order."""

import httpx
import pytest

from domain.access import Role
from tests.api.conftest import FakeOrders, as_

CUSTOMER_CANCEL = {"request_id": "r-1", "reason": "CUSTOMER", "requested_by": "customer"}
ORDER = {
    "order_id": "B2", "customer_id": "c-1", "customer_email": "ada@example.com",
    "lines": [{"sku": "MUG-BLUE", "quantity": 1, "unit_price_minor": 1250}],
    "shipping_address": {"name": "Ada", "line1": "1 Square", "city": "London", "postal_code": "SW1", "country": "GB"},
    "currency": "EUR", "payment_method": "pm_card_visa",
}


async def test_a_request_without_a_key_is_401_and_reaches_no_order(http: httpx.AsyncClient, orders: FakeOrders):
    answer = await http.post("/orders/A1/cancellations", json=CUSTOMER_CANCEL)

    assert (answer.status_code, answer.json()["error"]) == (401, "unauthenticated")
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert orders.calls == []


async def test_an_unknown_key_is_401_even_with_a_bad_body(http: httpx.AsyncClient, orders: FakeOrders):
    answer = await http.post("/orders/A1/cancellations", json={"nonsense": 1}, headers=as_("ord_admin_forged"))

    assert (answer.status_code, answer.json()["message"]) == (401, "unknown API key")
    assert orders.calls == []


async def test_a_storefront_cancelling_as_customer_service_is_403_and_reaches_no_order(
    http: httpx.AsyncClient, orders: FakeOrders, keys: dict[Role, str]
):
    request = {**CUSTOMER_CANCEL, "requested_by": "customer_service", "reason": "STAFF"}

    answer = await http.post("/orders/A1/cancellations", json=request, headers=as_(keys[Role.STOREFRONT]))

    assert answer.status_code == 403
    assert "requested_by=customer" in answer.json()["message"]
    assert orders.calls == []


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        (Role.CARRIER, "POST", "/orders/A1/cancellations", CUSTOMER_CANCEL),
        (Role.CARRIER, "GET", "/orders/A1", None),
        (Role.STOREFRONT, "GET", "/orders", None),
        (Role.STOREFRONT, "POST", "/orders/A1/reviews", {"request_id": "r-1", "decision": "APPROVE", "reviewer": "x"}),
        (Role.FRAUD, "POST", "/orders/A1/resolutions", {"action": "RETRY", "by": "x"}),
        (Role.SUPPORT, "POST", "/orders", ORDER),
        (Role.SUPPORT, "POST", "/orders/A1/events", {"type": "PICKED_UP"}),
    ],
)
async def test_a_role_acting_outside_its_grants_is_403_and_reaches_no_order(
    http: httpx.AsyncClient, orders: FakeOrders, keys: dict[Role, str], role: Role, method: str, path: str, body: object
):
    answer = await http.request(method, path, json=body, headers=as_(keys[role]))

    assert answer.status_code == 403, answer.text
    assert orders.calls == []


async def test_a_fraud_check_cancels_as_the_system_for_fraud(
    http: httpx.AsyncClient, orders: FakeOrders, keys: dict[Role, str]
):
    request = {"request_id": "fraud-1", "reason": "FRAUD", "requested_by": "system"}

    answer = await http.post("/orders/A1/cancellations", json=request, headers=as_(keys[Role.FRAUD]))

    assert (answer.status_code, answer.json()["outcome"]) == (200, "ACCEPTED")
    assert [(name, order) for name, order, _ in orders.calls] == [("cancel", "A1")]


async def test_the_idempotency_key_header_supplies_the_request_id(
    http: httpx.AsyncClient, orders: FakeOrders, keys: dict[Role, str]
):
    request = {"reason": "CUSTOMER"}

    answer = await http.post(
        "/orders/A1/cancellations", json=request, headers={**as_(keys[Role.STOREFRONT]), "Idempotency-Key": "sf-9"}
    )

    assert answer.json()["request_id"] == "sf-9"
    assert orders.calls[0][2].request_id == "sf-9"


async def test_a_bad_body_is_422_naming_the_field(http: httpx.AsyncClient, orders: FakeOrders, keys: dict[Role, str]):
    request = {**CUSTOMER_CANCEL, "reason": "BORED"}

    answer = await http.post("/orders/A1/cancellations", json=request, headers=as_(keys[Role.ADMIN]))

    assert answer.status_code == 422
    assert answer.json()["message"].startswith("reason:")
    assert orders.calls == []


async def test_a_reserved_request_id_is_422(http: httpx.AsyncClient, orders: FakeOrders, keys: dict[Role, str]):
    request = {**CUSTOMER_CANCEL, "request_id": "surplus"}

    answer = await http.post("/orders/A1/cancellations", json=request, headers=as_(keys[Role.ADMIN]))

    assert (answer.status_code, "reserved" in answer.json()["message"]) == (422, True)


async def test_an_unknown_order_is_404(http: httpx.AsyncClient, keys: dict[Role, str]):
    answer = await http.post("/orders/NOPE/cancellations", json=CUSTOMER_CANCEL, headers=as_(keys[Role.STOREFRONT]))

    assert (answer.status_code, answer.json()["error"]) == (404, "order_not_found")


async def test_placing_with_one_idempotency_key_twice_gives_the_same_order_and_another_body_is_409(
    http: httpx.AsyncClient, orders: FakeOrders, keys: dict[Role, str]
):
    headers = {**as_(keys[Role.STOREFRONT]), "Idempotency-Key": "cart-77"}

    first = await http.post("/orders", json=ORDER, headers=headers)
    again = await http.post("/orders", json=ORDER, headers=headers)
    other = await http.post("/orders", json={**ORDER, "order_id": "B3"}, headers=headers)

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert first.json() == again.json()
    assert first.headers["Location"].endswith("/orders/B2")
    assert [name for name, _, _ in orders.calls] == ["place"]


async def test_an_existing_order_id_without_the_key_that_placed_it_is_409(
    http: httpx.AsyncClient, keys: dict[Role, str]
):
    answer = await http.post("/orders", json={**ORDER, "order_id": "A1"}, headers=as_(keys[Role.STOREFRONT]))

    assert (answer.status_code, answer.json()["message"]) == (409, "order A1 already exists")


async def test_requests_are_counted_by_route_and_status(http: httpx.AsyncClient, keys: dict[Role, str]):
    await http.post("/orders/A1/cancellations", json=CUSTOMER_CANCEL)

    metrics = (await http.get("/metrics")).text

    assert 'orders_api_requests_total{method="POST",route="/orders/{order_id}/cancellations",status="401"} 1.0' in metrics
