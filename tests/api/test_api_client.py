"""The scenarios' HTTP client: each step sent with the key of the narrowest role allowed, refusals as the CLI's errors."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from domain.access import Role
from domain.placement import PlaceOrder
from domain.requests import CancellationRequest, CancelReason, RequestedBy
from starter.api_client import ApiOrdersClient, ApiRefused
from starter.errors import OrderExists, OrderNotFound
from tests.api.conftest import FakeOrders
from tests.api.test_roles import ORDER


@pytest.fixture
async def sent_as(app: FastAPI, keys: dict[Role, str]) -> AsyncIterator[tuple[ApiOrdersClient, list[Role]]]:
    """The client over the in-process API, and the roles whose keys it sent, in order."""
    roles = {key: role for role, key in keys.items()}
    sent: list[Role] = []

    async def note(request: httpx.Request) -> None:
        sent.append(roles[request.headers["Authorization"].removeprefix("Bearer ")])

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api", event_hooks={"request": [note]}) as http:
        yield ApiOrdersClient(http, keys), sent


def cancellation(by: RequestedBy, reason: CancelReason) -> CancellationRequest:
    return CancellationRequest(request_id=f"r-{by.value}", reason=reason, requested_by=by)


async def test_each_step_goes_with_the_key_of_the_party_it_stands_for(
    sent_as: tuple[ApiOrdersClient, list[Role]], orders: FakeOrders
):
    client, sent = sent_as

    await client.place(PlaceOrder.model_validate(ORDER))
    await client.cancel("B2", cancellation(RequestedBy.CUSTOMER, CancelReason.CUSTOMER))
    await client.cancel("B2", cancellation(RequestedBy.CUSTOMER_SERVICE, CancelReason.STAFF))
    await client.cancel("B2", cancellation(RequestedBy.SYSTEM, CancelReason.FRAUD))
    await client.cancel("B2", cancellation(RequestedBy.SYSTEM, CancelReason.INVENTORY))

    assert sent == [Role.STOREFRONT, Role.STOREFRONT, Role.SUPPORT, Role.FRAUD, Role.ADMIN]
    assert [(call, order_id) for call, order_id, _ in orders.calls] == [("place", "B2")] + [("cancel", "B2")] * 4


async def test_an_unknown_order_and_a_taken_order_id_are_the_errors_the_cli_knows(
    sent_as: tuple[ApiOrdersClient, list[Role]]
):
    client, _ = sent_as

    with pytest.raises(OrderNotFound, match="order nowhere not found"):
        await client.cancel("nowhere", cancellation(RequestedBy.CUSTOMER, CancelReason.CUSTOMER))
    with pytest.raises(OrderExists, match="order A1 already exists"):
        await client.place(PlaceOrder.model_validate({**ORDER, "order_id": "A1"}))


async def test_a_key_the_api_does_not_know_is_refused_in_one_sentence_and_reaches_no_order(
    app: FastAPI, keys: dict[Role, str], orders: FakeOrders
):
    app.state.store.revoke(keys[Role.STOREFRONT])
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        with pytest.raises(ApiRefused) as refused:
            await ApiOrdersClient(http, keys).cancel("A1", cancellation(RequestedBy.CUSTOMER, CancelReason.CUSTOMER))

    assert refused.value.status == 401
    assert str(refused.value) == "the orders API refused the storefront key's request (HTTP 401 unauthenticated): unknown API key"
    assert orders.calls == []
