"""The HTTP API over the whole system: orders placed, cancelled, reviewed and resolved with role keys,
and refusals (401, 403) that leave the order untouched."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from api.store import listed_keys
from domain.access import Role
from domain.placement import OrderLine, PlaceOrder
from domain.policy import Policy
from starter.inputs import DEMO_ADDRESS
from starter.system import System
from tests.waiting import until

pytestmark = pytest.mark.e2e

REFUND_FAILS_CARD = "pm_card_refundFail"  # pays, but every refund to it fails (sandbox.cards)


def keys(system: System) -> dict[Role, str]:
    return listed_keys(system.settings.var_dir / "api-keys.txt")  # Role is a StrEnum: keys["storefront"] works


def as_(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def new_order(*, card: str = "pm_card_visa", window: timedelta, **policy: Any) -> dict[str, Any]:
    order_id = f"api-{uuid.uuid4().hex[:10]}"
    return PlaceOrder(
        order_id=order_id, customer_id=f"c-{order_id}", customer_email=f"{order_id}@example.com",
        lines=[OrderLine(sku="MUG-BLUE", quantity=1, unit_price_minor=1250)], shipping_address=DEMO_ADDRESS,
        currency="EUR", payment_method=card,
        policy=Policy.model_validate({"free_cancellation_window": window, **policy}),
    ).model_dump(mode="json")


@pytest.fixture(scope="module")
async def http(system: System) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.settings.api_url, timeout=60) as client:
        yield client


async def view(http: httpx.AsyncClient, system: System, order_id: str) -> dict[str, Any]:
    answer = await http.get(f"/orders/{order_id}", headers=as_(keys(system)["support"]))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def until_status(http: httpx.AsyncClient, system: System, order_id: str, status: str) -> dict[str, Any]:
    async def reached() -> bool:
        return (await view(http, system, order_id))["status"] == status

    await until(reached, what=f"order {order_id} {status}")
    return await view(http, system, order_id)


async def test_a_customer_request_reviewed_by_support_cancels_and_refusals_leave_the_order_untouched(
    system: System, http: httpx.AsyncClient
):
    key = keys(system)
    order = new_order(window=timedelta(minutes=10), review_above_minor=0)  # every customer request is reviewed
    order_id = order["order_id"]
    placed = await http.post("/orders", json=order, headers=as_(key["storefront"], **{"Idempotency-Key": order_id}))
    await until_status(http, system, order_id, "CONFIRMED")
    request = {"request_id": f"r-{order_id}", "reason": "CUSTOMER", "requested_by": "customer"}

    unauthenticated = await http.post(f"/orders/{order_id}/cancellations", json=request)
    as_support = {**request, "requested_by": "customer_service", "reason": "STAFF"}
    forbidden = await http.post(f"/orders/{order_id}/cancellations", json=as_support, headers=as_(key["storefront"]))
    carrier = await http.post(f"/orders/{order_id}/cancellations", json=request, headers=as_(key["carrier"]))
    untouched = await view(http, system, order_id)
    asked = await http.post(f"/orders/{order_id}/cancellations", json=request, headers=as_(key["storefront"]))
    review = {"request_id": request["request_id"], "decision": "APPROVE", "reviewer": "agent-7"}
    refused_reviews = [
        await http.post(f"/orders/{order_id}/reviews", json=review, headers=headers)
        for headers in ({}, as_("ord_support_forged"), as_(key["storefront"]), as_(key["fraud"]))
    ]
    still_pending = await view(http, system, order_id)
    reviewed = await http.post(f"/orders/{order_id}/reviews", json=review, headers=as_(key["support"]))
    cancelled = await until_status(http, system, order_id, "CANCELLED")

    assert placed.status_code == 201, placed.text
    assert [unauthenticated.status_code, forbidden.status_code, carrier.status_code] == [401, 403, 403]
    assert (untouched["status"], untouched["cancellations"]) == ("CONFIRMED", [])
    assert (asked.status_code, asked.json()["outcome"]) == (200, "PENDING_REVIEW")
    assert [answer.status_code for answer in refused_reviews] == [401, 401, 403, 403]
    pending = still_pending["cancellations"][0]
    assert (still_pending["status"], pending["outcome"], pending["reviewed_by"]) == ("CONFIRMED", "PENDING_REVIEW", None)
    assert (reviewed.status_code, reviewed.json()["outcome"]) == (200, "ACCEPTED")
    assert cancelled["cancellations"][0]["reviewed_by"] == "agent-7"


async def test_support_finds_an_order_needing_attention_and_resolves_it_with_store_credit(
    system: System, http: httpx.AsyncClient
):
    key = keys(system)
    order = new_order(card=REFUND_FAILS_CARD, window=timedelta(seconds=1))
    order_id = order["order_id"]
    (await http.post("/orders", json=order, headers=as_(key["storefront"]))).raise_for_status()
    await until(lambda: _captured(http, system, order_id), what="the capture")
    request = {"request_id": f"cs-{order_id}", "reason": "STAFF", "requested_by": "customer_service"}

    accepted = await http.post(f"/orders/{order_id}/cancellations", json=request, headers=as_(key["support"]))
    stuck = await until_status(http, system, order_id, "NEEDS_ATTENTION")
    listed = await _listed_needing_attention(http, system, order_id)
    storefront_resolves = await http.post(
        f"/orders/{order_id}/resolutions", json={"action": "REFUND_TO_STORE_CREDIT", "by": "shop"},
        headers=as_(key["storefront"]),
    )
    fraud_cancels_for_the_customer = await http.post(
        f"/orders/{order_id}/cancellations", json={"request_id": f"f-{order_id}", "reason": "CUSTOMER", "requested_by": "system"},
        headers=as_(key["fraud"]),
    )
    still_stuck = await view(http, system, order_id)
    resolved = await http.post(
        f"/orders/{order_id}/resolutions", json={"action": "REFUND_TO_STORE_CREDIT", "by": "agent-7"},
        headers=as_(key["support"]),
    )
    cancelled = await until_status(http, system, order_id, "CANCELLED")

    assert accepted.json()["outcome"] == "ACCEPTED"
    assert "REFUND_TO_STORE_CREDIT" in str(stuck["attention"])
    assert listed
    assert [storefront_resolves.status_code, fraud_cancels_for_the_customer.status_code] == [403, 403]
    assert (still_stuck["status"], [c["request_id"] for c in still_stuck["cancellations"]]) == (
        "NEEDS_ATTENTION", [request["request_id"]]
    )
    assert resolved.status_code == 200, resolved.text
    assert cancelled["store_credit_minor"] == 1250


async def test_bad_requests_get_a_reason_not_a_500(system: System, http: httpx.AsyncClient):
    key = keys(system)["admin"]

    unknown = await http.get("/orders/no-such-order", headers=as_(key))
    malformed = await http.post("/orders", json={"order_id": "x"}, headers=as_(key))
    bad_filter = await http.get("/orders", params={"status": "LOST"}, headers=as_(key))

    assert unknown.status_code == 404
    assert (malformed.status_code, malformed.json()["error"]) == (422, "invalid")
    assert (bad_filter.status_code, bad_filter.json()["message"].startswith("status:")) == (422, True)


async def _captured(http: httpx.AsyncClient, system: System, order_id: str) -> bool:
    return (await view(http, system, order_id))["captured_minor"] > 0


async def _listed_needing_attention(http: httpx.AsyncClient, system: System, order_id: str) -> bool:
    async def listed() -> bool:
        answer = await http.get(
            "/orders", params={"needs_attention": "true", "page_size": 200}, headers=as_(keys(system)["support"])
        )
        return order_id in {row["order_id"] for row in answer.json()["orders"]}

    await until(listed, what=f"order {order_id} listed as needing attention")
    return True
