"""The carrier's webhook into the API: signed, fresh, taken once; and the carrier stand-in's sender against it."""

import json

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from runtime.settings import Settings
from runtime.signatures import HEADER, sign
from sandbox.carrier_events import Undeliverable
from sandbox.carrier_webhook import CarrierWebhook
from tests.api.conftest import NOW, FakeOrders

SECRET = Settings().carrier_webhook_secret
SCAN = {"type": "PICKED_UP", "at": "2026-12-05T09:00:00+00:00", "tracking_number": "1Z999"}


def webhook(event_id: str = "evt_1", order_id: str = "A1") -> bytes:
    return json.dumps({"id": event_id, "order_id": order_id, "event": SCAN}).encode()


async def post(http: httpx.AsyncClient, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json", **({HEADER: signature} if signature else {})}
    return await http.post("/webhooks/carrier", content=body, headers=headers)


async def test_a_validly_signed_event_reaches_its_order(http: httpx.AsyncClient, orders: FakeOrders):
    body = webhook()

    answer = await post(http, body, sign(SECRET, int(NOW), body))

    assert (answer.status_code, answer.json()["status"]) == (200, "accepted")
    assert [(name, order, event.type.value) for name, order, event in orders.calls] == [("event", "A1", "PICKED_UP")]


async def test_a_missing_signature_is_401_and_nothing_is_signalled(http: httpx.AsyncClient, orders: FakeOrders):
    answer = await post(http, webhook(), None)

    assert (answer.status_code, answer.json()["error"]) == (401, "bad_signature")
    assert orders.calls == []


async def test_a_wrong_signature_is_401_and_nothing_is_signalled(http: httpx.AsyncClient, orders: FakeOrders):
    body = webhook()

    answer = await post(http, body, sign("whsec_not_the_carriers", int(NOW), body))

    assert (answer.status_code, "does not match" in answer.json()["message"]) == (401, True)
    assert orders.calls == []


async def test_a_stale_signature_is_401_and_nothing_is_signalled(http: httpx.AsyncClient, orders: FakeOrders):
    body = webhook()

    answer = await post(http, body, sign(SECRET, int(NOW) - 301, body))

    assert (answer.status_code, "stale" in answer.json()["message"]) == (401, True)
    assert orders.calls == []


async def test_a_replayed_event_is_answered_but_signalled_once(http: httpx.AsyncClient, orders: FakeOrders):
    body = webhook()
    signature = sign(SECRET, int(NOW), body)

    first = await post(http, body, signature)
    replayed = await post(http, body, signature)

    assert (first.json()["status"], replayed.json()["status"]) == ("accepted", "duplicate")
    assert len(orders.calls) == 1


async def test_the_dedupe_outlives_the_api_process(app: FastAPI, orders: FakeOrders):
    body = webhook()
    signature = sign(SECRET, int(NOW), body)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
        await post(http, body, signature)

    async def connect(_: Settings) -> FakeOrders:
        return orders

    restarted = create_app(app.state.settings, connect=connect, clock=lambda: NOW)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=restarted), base_url="http://api") as http:
        again = await post(http, body, signature)

    assert again.json()["status"] == "duplicate"
    assert len(orders.calls) == 1


async def test_the_carrier_stand_in_signs_what_the_api_accepts(http: httpx.AsyncClient, orders: FakeOrders):
    send = CarrierWebhook("http://api/webhooks/carrier", SECRET, http=http, clock=lambda: NOW)

    await send("evt_2", "A1", SCAN)

    assert [name for name, _, _ in orders.calls] == ["event"]


async def test_an_event_for_an_order_the_api_does_not_know_is_undeliverable(http: httpx.AsyncClient):
    send = CarrierWebhook("http://api/webhooks/carrier", SECRET, http=http, clock=lambda: NOW)

    with pytest.raises(Undeliverable, match="^HTTP 404"):
        await send("evt_3", "NO-SUCH-ORDER", SCAN)


async def test_a_carrier_with_the_wrong_secret_is_refused_and_retried_later(http: httpx.AsyncClient, orders: FakeOrders):
    send = CarrierWebhook("http://api/webhooks/carrier", "whsec_stale", http=http, clock=lambda: NOW)

    with pytest.raises(httpx.HTTPStatusError) as refused:
        await send("evt_4", "A1", SCAN)

    assert refused.value.response.status_code == 401
    assert orders.calls == []
