"""Faults on demand in the HTTP stand-ins: the admin route, and what a refused or lost answer does to an activity.

A lost answer is the case that tests idempotency: the effect is committed, the caller sees a 5xx,
and its retry under the same idempotency key must get the first answer with no second effect.
"""

import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import pytest
from fastapi import FastAPI
from temporalio.testing import ActivityEnvironment

from activities.carrier import CarrierActivities
from activities.carrier_http import HttpCarrier
from activities.payment import PaymentActivities
from activities.payment_http import HttpPaymentGateway
from runtime.fault_spec import ENDPOINTS
from sandbox.faults import ROUTES
from tests.activities.test_carrier import shipment
from tests.activities.test_payment_gateway import ORDER, authorize, capture, intent, refund

T = TypeVar("T")


@pytest.fixture
def payments(sandbox: httpx.AsyncClient) -> PaymentActivities:
    return PaymentActivities(HttpPaymentGateway(sandbox))


async def put_faults(sandbox: httpx.AsyncClient, spec: str) -> dict:
    response = await sandbox.put("/admin/faults", json={"spec": spec})
    assert response.status_code == 200, response.text
    return response.json()


async def lost_then_retried(sandbox: httpx.AsyncClient, endpoint: str, attempt: Callable[[], Awaitable[T]]) -> T:
    """The first attempt's answer is lost after the sandbox acted; the retry, faults cleared, is answered."""
    await put_faults(sandbox, f"{endpoint}:lost=1")
    with pytest.raises(httpx.HTTPStatusError) as lost:
        await attempt()
    assert lost.value.response.status_code == 502
    assert lost.value.response.json()["error"]["code"] == "fault_lost"
    await put_faults(sandbox, "")
    return await attempt()


def test_every_http_endpoint_names_exactly_one_route_of_the_sandbox(app: FastAPI) -> None:
    routes = [(method.upper(), path) for path, methods in app.openapi()["paths"].items() for method in methods]

    for method, pattern, endpoint in ROUTES:
        matching = [path for m, path in routes if m == method and pattern.fullmatch(re.sub(r"{\w+}", "x", path))]
        assert len(matching) == 1, f"{endpoint}: {matching}"
    assert {endpoint for _, _, endpoint in ROUTES} == set(ENDPOINTS) - {"smtp", "inventory"}


async def test_the_admin_route_reads_replaces_and_patches_the_faults(sandbox: httpx.AsyncClient) -> None:
    assert (await sandbox.get("/admin/faults")).json()["spec"] == ""

    replaced = await put_faults(sandbox, "seed=9;payment.*:error=0.2")
    patched = (await sandbox.patch("/admin/faults", json={"spec": "payment.capture:lost=0.1"})).json()

    assert (replaced["seed"], set(replaced["endpoints"])) == (9, {n for n in ENDPOINTS if n.startswith("payment.")})
    assert patched["endpoints"]["payment.capture"] == {"error": 0.2, "lost": 0.1, "latency_ms": 0}
    assert patched["seed"] == 9
    assert (await sandbox.get("/admin/faults")).json() == patched


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"spec": "payment.capture:error=2"}, "'error=2' in 'payment.capture:error=2': a rate is from 0 to 1"),
        ({"spec": "mail:error=0.1"}, "'mail' is not an endpoint"),
        ({"spac": "*:error=0.1"}, "Field required"),
    ],
)
async def test_a_bad_body_is_answered_422_with_the_reason_and_changes_nothing(
    sandbox: httpx.AsyncClient, body: dict, reason: str
) -> None:
    await put_faults(sandbox, "smtp:error=0.5")

    response = await sandbox.put("/admin/faults", json=body)

    assert response.status_code == 422
    assert reason in response.text
    assert (await sandbox.get("/admin/faults")).json()["spec"].endswith("smtp:error=0.5")


async def test_an_error_is_refused_before_anything_is_done_and_counted(
    sandbox: httpx.AsyncClient, payments: PaymentActivities
) -> None:
    await put_faults(sandbox, "payment.authorize:error=1,latency=1ms")

    with pytest.raises(httpx.HTTPStatusError) as refused:
        await ActivityEnvironment().run(payments.authorize_payment, authorize())

    assert refused.value.response.status_code == 503
    assert (await sandbox.get("/v1/payment_intents", params={"order_id": ORDER})).json()["data"] == []
    counters = (await sandbox.get("/admin/faults/counters")).json()
    assert counters == {"payment.authorize": {"requests": 1, "error": 1, "lost": 0, "delayed": 1}}
    assert (await sandbox.delete("/admin/faults/counters")).status_code == 204
    assert (await sandbox.get("/admin/faults/counters")).json() == {}


async def test_a_capture_whose_answer_was_lost_is_captured_once_and_the_retry_gets_its_answer(
    sandbox: httpx.AsyncClient, payments: PaymentActivities
) -> None:
    held = await ActivityEnvironment().run(payments.authorize_payment, authorize(amount=10_000))

    captured = await lost_then_retried(
        sandbox, "payment.capture", lambda: ActivityEnvironment().run(payments.capture_payment, capture(held.authorization_id))
    )

    assert captured == 10_000
    after = await intent(sandbox, held.authorization_id)
    assert (after["status"], after["amount_received"]) == ("succeeded", 10_000)


async def test_a_refund_whose_answer_was_lost_refunds_once_and_the_retry_gets_the_same_refund(
    sandbox: httpx.AsyncClient, payments: PaymentActivities
) -> None:
    held = await ActivityEnvironment().run(payments.authorize_payment, authorize(amount=10_000))
    await ActivityEnvironment().run(payments.capture_payment, capture(held.authorization_id))
    ask = refund(held.authorization_id, 4_000, key=f"{ORDER}:refund:cs-1")

    refunded = await lost_then_retried(
        sandbox, "payment.refund", lambda: ActivityEnvironment().run(payments.refund_payment, ask)
    )

    assert refunded.amount_minor == 4_000
    assert (await intent(sandbox, held.authorization_id))["amount_refunded"] == 4_000


async def test_a_label_whose_answer_was_lost_is_bought_once_and_the_retry_gets_the_same_label(
    sandbox: httpx.AsyncClient,
) -> None:
    carrier = CarrierActivities(HttpCarrier(sandbox))

    label = await lost_then_retried(
        sandbox, "carrier.label", lambda: ActivityEnvironment().run(carrier.create_shipment, shipment())
    )

    [bought] = (await sandbox.get("/carrier/shipments", params={"order_id": "order-1"})).json()["data"]
    assert bought["id"] == label.shipment_id
