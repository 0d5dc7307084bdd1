"""Asynchronous refunds: created pending, settled on a later read once their time has come."""

import httpx
import pytest
from temporalio.testing import ActivityEnvironment

from activities.payment import (
    AuthorizePayment,
    CapturePayment,
    FollowRefund,
    PaymentActivities,
    PaymentRefused,
    RefundPayment,
    RefundPending,
    RefundStatus,
)
from activities.payment_http import HttpPaymentGateway
from tests.activities.conftest import SETTLE_AFTER, FakeClock

ORDER = "order-1"
CARD = "pm_card_visa"
REFUND_FAILS_CARD = "pm_card_refundFail"


@pytest.fixture
def gateway(sandbox: httpx.AsyncClient) -> HttpPaymentGateway:
    return HttpPaymentGateway(sandbox)


async def captured(gateway: HttpPaymentGateway, card: str = CARD, amount: int = 10_000) -> str:
    authorization = await gateway.authorize(
        AuthorizePayment(order_id=ORDER, amount_minor=amount, currency="EUR", payment_method=card,
                         idempotency_key=f"{ORDER}:authorize")
    )
    await gateway.capture(CapturePayment(order_id=ORDER, authorization_id=authorization.authorization_id,
                                         amount_minor=amount, idempotency_key=f"{ORDER}:capture"))
    return authorization.authorization_id


def refund(authorization_id: str, amount: int, key: str = f"{ORDER}:refund") -> RefundPayment:
    return RefundPayment(order_id=ORDER, authorization_id=authorization_id, amount_minor=amount, idempotency_key=key)


async def amount_refunded(sandbox: httpx.AsyncClient, authorization_id: str) -> int:
    return (await sandbox.get(f"/v1/payment_intents/{authorization_id}")).json()["amount_refunded"]


async def test_a_refund_is_pending_until_its_settle_time_has_passed_then_succeeded(
    gateway: HttpPaymentGateway, clock: FakeClock
):
    started = await gateway.refund(refund(await captured(gateway), 4_000))
    follow = FollowRefund(order_id=ORDER, refund_id=started.refund_id)

    before = await gateway.refund_status(follow)
    clock.advance(SETTLE_AFTER)
    after = await gateway.refund_status(follow)

    assert (started.status, before.status) == (RefundStatus.PENDING, RefundStatus.PENDING)
    assert (after.status, after.amount_minor, after.failure_reason) == (RefundStatus.SUCCEEDED, 4_000, None)


async def test_a_pending_refund_already_counts_against_the_capture(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient
):
    authorization_id = await captured(gateway)
    await gateway.refund(refund(authorization_id, 4_000))

    with pytest.raises(PaymentRefused) as refused:
        await gateway.refund(refund(authorization_id, 6_001, key=f"{ORDER}:refund-2"))

    assert refused.value.code == "amount_too_large"
    assert await amount_refunded(sandbox, authorization_id) == 4_000


async def test_a_refund_to_a_cancelled_card_fails_with_its_reason_and_gives_its_amount_back(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient, clock: FakeClock
):
    authorization_id = await captured(gateway, card=REFUND_FAILS_CARD)
    started = await gateway.refund(refund(authorization_id, 10_000))
    pending_total = await amount_refunded(sandbox, authorization_id)

    clock.advance(SETTLE_AFTER)
    settled = await gateway.refund_status(FollowRefund(order_id=ORDER, refund_id=started.refund_id))

    assert (started.status, pending_total) == (RefundStatus.PENDING, 10_000)
    assert (settled.status, settled.failure_reason) == (RefundStatus.FAILED, "expired_or_canceled_card")
    assert await amount_refunded(sandbox, authorization_id) == 0
    again = await gateway.refund(refund(authorization_id, 10_000, key=f"{ORDER}:refund-again"))
    assert again.status is RefundStatus.PENDING


async def test_reading_the_payment_intent_settles_its_refunds_too(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient, clock: FakeClock
):
    authorization_id = await captured(gateway, card=REFUND_FAILS_CARD)
    await gateway.refund(refund(authorization_id, 10_000))

    clock.advance(SETTLE_AFTER)
    listed = (await sandbox.get("/v1/payment_intents", params={"order_id": ORDER})).json()["data"]

    assert [intent["amount_refunded"] for intent in listed] == [0]


async def test_replaying_a_refund_answers_as_it_first_did_and_refunds_once(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient, clock: FakeClock
):
    authorization_id = await captured(gateway)
    first = await gateway.refund(refund(authorization_id, 4_000))
    clock.advance(SETTLE_AFTER)

    replayed = await gateway.refund(refund(authorization_id, 4_000))

    assert replayed == first
    assert await amount_refunded(sandbox, authorization_id) == 4_000


async def test_following_an_unknown_refund_is_refused(gateway: HttpPaymentGateway):
    with pytest.raises(PaymentRefused) as refused:
        await gateway.refund_status(FollowRefund(order_id=ORDER, refund_id="re_missing"))

    assert refused.value.code == "resource_missing"


async def test_the_follow_refund_activity_polls_through_its_retries_until_the_refund_settles(
    gateway: HttpPaymentGateway, clock: FakeClock
):
    activities = PaymentActivities(gateway)
    started = await gateway.refund(refund(await captured(gateway), 4_000))
    follow = FollowRefund(order_id=ORDER, refund_id=started.refund_id)

    with pytest.raises(RefundPending):
        await ActivityEnvironment().run(activities.follow_refund, follow)
    clock.advance(SETTLE_AFTER)
    settled = await ActivityEnvironment().run(activities.follow_refund, follow)

    assert settled.status is RefundStatus.SUCCEEDED


async def test_refunding_what_is_left_of_a_fully_refunded_payment_says_it_was_refunded_in_full(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient
):
    authorization_id = await captured(gateway)
    await gateway.refund(refund(authorization_id, 10_000))

    response = await sandbox.post(
        "/v1/refunds", json={"payment_intent": authorization_id}, headers={"Idempotency-Key": "rest"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "charge_already_refunded"
    assert response.json()["error"]["message"] == f"{authorization_id} has already been refunded in full (10000)."
