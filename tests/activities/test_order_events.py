"""The delivery activity's HTTP adapter against the receiver stand-in: signed, deduplicated, refused when told to."""

import time
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from activities.order_events_http import DeliveryRefused, HttpEventReceivers
from domain.order_events import OrderEvent, OrderEventType, event_id
from runtime.signatures import HEADER, sign
from runtime.webhook_subscribers import Subscriber
from sandbox.receiver import install_receiver

ERP = Subscriber(name="erp", url="http://sandbox/receiver/erp/events", secret="whsec_erp_secret")


def an_event(index: int = 4) -> OrderEvent:
    at = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    return OrderEvent(id=event_id("A1", index), type=OrderEventType.CONFIRMED, order_id="A1", at=at, data={"status": "CONFIRMED"})


@pytest.fixture
def receiving(app: FastAPI) -> FastAPI:
    install_receiver(app, [ERP])
    return app


@pytest.fixture
def receivers(receiving: FastAPI, sandbox: httpx.AsyncClient) -> HttpEventReceivers:
    return HttpEventReceivers([ERP], sandbox)


async def received(sandbox: httpx.AsyncClient) -> list[dict[str, object]]:
    return (await sandbox.get("/receiver/erp/events")).json()  # type: ignore[no-any-return]


async def test_a_delivered_event_is_kept_once_and_a_repeat_is_counted_as_a_duplicate(
    receivers: HttpEventReceivers, sandbox: httpx.AsyncClient
) -> None:
    await receivers.deliver("erp", an_event())
    await receivers.deliver("erp", an_event())

    (kept,) = await received(sandbox)
    assert (kept["id"], kept["type"], kept["duplicates"]) == ("A1:4", "order.confirmed", 1)


async def test_the_receiver_refuses_a_body_signed_with_another_secret(receiving: FastAPI, sandbox: httpx.AsyncClient) -> None:
    forger = HttpEventReceivers([ERP.model_copy(update={"secret": "whsec_not_the_one"})], sandbox)

    with pytest.raises(DeliveryRefused, match="HTTP 401"):
        await forger.deliver("erp", an_event())

    assert await received(sandbox) == []


async def test_the_receiver_refuses_a_missing_or_stale_signature(receiving: FastAPI, sandbox: httpx.AsyncClient) -> None:
    body = an_event().model_dump_json().encode()
    stale = sign(ERP.secret, int(time.time()) - 3600, body)

    unsigned = await sandbox.post("/receiver/erp/events", content=body)
    replayed = await sandbox.post("/receiver/erp/events", content=body, headers={HEADER: stale})

    assert (unsigned.status_code, replayed.status_code) == (401, 401)
    assert await received(sandbox) == []


async def test_a_receiver_told_to_fail_refuses_and_one_that_loses_its_answer_keeps_the_event(
    receivers: HttpEventReceivers, sandbox: httpx.AsyncClient
) -> None:
    await sandbox.put("/receiver/admin/failures", json={"fail_next": 1, "lose_next": 1})

    with pytest.raises(DeliveryRefused, match="HTTP 503"):
        await receivers.deliver("erp", an_event(4))
    with pytest.raises(DeliveryRefused, match="HTTP 502"):
        await receivers.deliver("erp", an_event(4))
    await receivers.deliver("erp", an_event(4))

    (kept,) = await received(sandbox)
    assert kept["duplicates"] == 1
    assert (await sandbox.get("/receiver/admin/failures")).json() == {"fail_next": 0, "lose_next": 0, "down": False}


async def test_a_subscriber_this_worker_does_not_know_is_refused_to_be_retried_later(sandbox: httpx.AsyncClient) -> None:
    receivers = HttpEventReceivers([], sandbox)

    with pytest.raises(DeliveryRefused, match="no subscriber 'erp'"):
        await receivers.deliver("erp", an_event())


async def test_a_subscriber_that_does_not_answer_is_refused() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(unreachable)) as http:
        with pytest.raises(DeliveryRefused, match="no answer"):
            await HttpEventReceivers([ERP], http).deliver("erp", an_event())
