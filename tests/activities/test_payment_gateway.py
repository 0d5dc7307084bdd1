"""HttpPaymentGateway against the payment stand-in (the `sandbox` fixture: tests/activities/conftest.py)."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.failures import BusinessFailure
from activities.payment import (
    AlreadyCaptured,
    AuthorizePayment,
    CapturePayment,
    CardDeclined,
    PaymentActivities,
    PaymentRefused,
    RefundPayment,
    VoidAuthorization,
)
from activities.payment_http import HttpPaymentGateway
from tests.activities.conftest import FakeClock

CARD = "pm_card_visa"
ORDER = "order-1"


@pytest.fixture
def gateway(sandbox: httpx.AsyncClient) -> HttpPaymentGateway:
    return HttpPaymentGateway(sandbox)


def authorize(card: str = CARD, amount: int = 10_000, key: str = f"{ORDER}:authorize") -> AuthorizePayment:
    return AuthorizePayment(
        order_id=ORDER, amount_minor=amount, currency="EUR", payment_method=card, idempotency_key=key
    )


def capture(authorization_id: str, amount: int = 10_000, key: str = f"{ORDER}:capture") -> CapturePayment:
    return CapturePayment(order_id=ORDER, authorization_id=authorization_id, amount_minor=amount, idempotency_key=key)


def refund(authorization_id: str, amount: int, key: str) -> RefundPayment:
    return RefundPayment(order_id=ORDER, authorization_id=authorization_id, amount_minor=amount, idempotency_key=key)


def void(authorization_id: str, key: str = f"{ORDER}:void") -> VoidAuthorization:
    return VoidAuthorization(order_id=ORDER, authorization_id=authorization_id, idempotency_key=key)


async def intent(sandbox: httpx.AsyncClient, authorization_id: str) -> dict:
    return (await sandbox.get(f"/v1/payment_intents/{authorization_id}")).json()


async def test_authorization_holds_the_amount_until_capture(gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient):
    authorization = await gateway.authorize(authorize())

    held = await intent(sandbox, authorization.authorization_id)

    assert authorization.amount_minor == 10_000
    assert (held["status"], held["amount_capturable"], held["amount_received"]) == ("requires_capture", 10_000, 0)


async def test_capture_takes_what_the_order_still_needs(gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient):
    authorization = await gateway.authorize(authorize())

    captured = await gateway.capture(capture(authorization.authorization_id, amount=7_000))

    assert captured == 7_000
    assert (await intent(sandbox, authorization.authorization_id))["amount_received"] == 7_000


async def test_capture_of_more_than_was_authorized_is_refused(gateway: HttpPaymentGateway):
    authorization = await gateway.authorize(authorize())

    with pytest.raises(PaymentRefused) as refused:
        await gateway.capture(capture(authorization.authorization_id, amount=10_001))

    assert refused.value.code == "amount_too_large"


async def test_a_second_capture_under_another_key_is_refused(gateway: HttpPaymentGateway):
    authorization = await gateway.authorize(authorize())
    await gateway.capture(capture(authorization.authorization_id))

    with pytest.raises(PaymentRefused) as refused:
        await gateway.capture(capture(authorization.authorization_id, key=f"{ORDER}:capture-again"))

    assert refused.value.code == "payment_intent_unexpected_state"


async def test_void_releases_an_uncaptured_hold(gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient):
    authorization = await gateway.authorize(authorize())

    await gateway.void(void(authorization.authorization_id))

    released = await intent(sandbox, authorization.authorization_id)
    assert (released["status"], released["amount_capturable"]) == ("canceled", 0)


async def test_voiding_a_captured_hold_says_what_was_captured_so_it_can_be_refunded(gateway: HttpPaymentGateway):
    authorization = await gateway.authorize(authorize())
    await gateway.capture(capture(authorization.authorization_id, amount=7_500))  # its answer lost, say

    with pytest.raises(AlreadyCaptured) as found:
        await gateway.void(void(authorization.authorization_id))

    assert found.value.amount_minor == 7_500


async def test_the_activity_hands_the_captured_amount_to_the_workflow(gateway: HttpPaymentGateway):
    authorization = await gateway.authorize(authorize())
    await gateway.capture(capture(authorization.authorization_id))

    with pytest.raises(ApplicationError) as failure:
        await ActivityEnvironment().run(PaymentActivities(gateway).void_authorization, void(authorization.authorization_id))

    assert (failure.value.type, failure.value.details, failure.value.non_retryable) == (
        "AlreadyCaptured", ("already_captured", 10_000), True
    )


async def test_voiding_a_released_hold_again_succeeds(gateway: HttpPaymentGateway):
    authorization = await gateway.authorize(authorize())
    await gateway.void(void(authorization.authorization_id))

    await gateway.void(void(authorization.authorization_id, key=f"{ORDER}:cancel-request-2:void"))


async def test_partial_refunds_may_add_up_to_the_captured_amount(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient
):
    authorization = await gateway.authorize(authorize())
    await gateway.capture(capture(authorization.authorization_id))

    first = await gateway.refund(refund(authorization.authorization_id, 3_000, key=f"{ORDER}:refund-1"))
    second = await gateway.refund(refund(authorization.authorization_id, 7_000, key=f"{ORDER}:refund-2"))

    assert (first.amount_minor, first.status, second.amount_minor) == (3_000, "pending", 7_000)
    listed = (await sandbox.get("/v1/payment_intents", params={"order_id": ORDER})).json()["data"]
    assert [(i["amount_received"], i["amount_refunded"]) for i in listed] == [(10_000, 10_000)]


async def test_refund_beyond_what_is_left_of_the_capture_is_refused(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient
):
    authorization = await gateway.authorize(authorize())
    await gateway.capture(capture(authorization.authorization_id))
    await gateway.refund(refund(authorization.authorization_id, 3_000, key=f"{ORDER}:refund-1"))

    with pytest.raises(PaymentRefused) as refused:
        await gateway.refund(refund(authorization.authorization_id, 8_000, key=f"{ORDER}:refund-2"))

    assert refused.value.code == "amount_too_large"
    assert (await intent(sandbox, authorization.authorization_id))["amount_refunded"] == 3_000


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
    ],
)
async def test_a_declined_card_raises_card_declined_with_its_code(gateway: HttpPaymentGateway, card: str, code: str):
    with pytest.raises(CardDeclined) as declined:
        await gateway.authorize(authorize(card=card))

    assert declined.value.code == code


async def test_an_unknown_payment_method_is_refused(gateway: HttpPaymentGateway):
    with pytest.raises(PaymentRefused) as refused:
        await gateway.authorize(authorize(card="tok_visa"))

    assert refused.value.code == "invalid_request_error"
    assert "No such PaymentMethod" in str(refused.value)


@pytest.mark.parametrize("number", ["4242424242424242", "4242 4242 4242 4242", "5555-5555-5555-4444"])
async def test_a_card_number_is_refused_with_422_and_nothing_stored(sandbox: httpx.AsyncClient, number: str):
    body = {"amount": 1_000, "currency": "EUR", "payment_method": number, "order_id": ORDER}

    response = await sandbox.post("/v1/payment_intents", json=body, headers={"Idempotency-Key": f"{ORDER}:pan"})
    retried = await sandbox.post(
        "/v1/payment_intents", json={**body, "payment_method": "pm_card_visa"}, headers={"Idempotency-Key": f"{ORDER}:pan"}
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "raw_card_number"
    assert number not in response.text
    assert retried.status_code == 200  # the key was not spent on the refused number


async def test_a_token_keeps_the_last_four_digits_of_its_test_card(gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient):
    authorization = await gateway.authorize(authorize(card="pm_card_mastercard"))

    assert (await intent(sandbox, authorization.authorization_id))["card_last4"] == "4444"


async def test_an_amount_too_large_to_store_is_refused_not_left_to_retries(gateway: HttpPaymentGateway):
    with pytest.raises(PaymentRefused) as refused:
        await gateway.authorize(authorize(amount=2**63))

    assert refused.value.code == "invalid_request_error"
    assert "body.amount" in str(refused.value)


async def test_a_processing_error_is_left_to_the_retry_policy(gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient):
    with pytest.raises(httpx.HTTPStatusError) as failed:
        await gateway.authorize(authorize(card="pm_card_chargeDeclinedProcessingError"))

    assert not isinstance(failed.value, BusinessFailure)
    assert failed.value.response.status_code == 500
    assert (await sandbox.get("/v1/payment_intents", params={"order_id": ORDER})).json()["data"] == []


async def test_replaying_an_authorization_returns_the_same_authorization(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient
):
    first = await gateway.authorize(authorize())

    again = await gateway.authorize(authorize())

    assert again == first
    assert len((await sandbox.get("/v1/payment_intents", params={"order_id": ORDER})).json()["data"]) == 1


async def test_concurrent_identical_authorizations_act_once(gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient):
    authorizations = await asyncio.gather(*(gateway.authorize(authorize()) for _ in range(10)))

    assert len({a.authorization_id for a in authorizations}) == 1
    assert len((await sandbox.get("/v1/payment_intents", params={"order_id": ORDER})).json()["data"]) == 1


async def test_the_same_key_with_different_parameters_is_answered_422(sandbox: httpx.AsyncClient):
    body = {"amount": 10_000, "currency": "EUR", "payment_method": CARD, "order_id": ORDER}
    await sandbox.post("/v1/payment_intents", json=body, headers={"Idempotency-Key": "k-1"})

    response = await sandbox.post(
        "/v1/payment_intents", json={**body, "amount": 9_000}, headers={"Idempotency-Key": "k-1"}
    )

    assert response.status_code == 422
    assert response.json()["error"]["type"] == "idempotency_error"
    assert "same parameters" in response.json()["error"]["message"]


async def test_a_mutating_call_without_an_idempotency_key_is_rejected_with_a_reason(sandbox: httpx.AsyncClient):
    body = {"amount": 10_000, "currency": "EUR", "payment_method": CARD, "order_id": ORDER}

    response = await sandbox.post("/v1/payment_intents", json=body)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["message"]


async def test_cancelling_a_canceled_intent_is_409_but_its_own_key_replays_the_success(sandbox: httpx.AsyncClient):
    body = {"amount": 10_000, "currency": "EUR", "payment_method": CARD, "order_id": ORDER}
    intent_id = (await sandbox.post("/v1/payment_intents", json=body, headers={"Idempotency-Key": "a"})).json()["id"]
    cancel = f"/v1/payment_intents/{intent_id}/cancel"
    first = await sandbox.post(cancel, headers={"Idempotency-Key": "c-1"})

    replay = await sandbox.post(cancel, headers={"Idempotency-Key": "c-1"})
    other_key = await sandbox.post(cancel, headers={"Idempotency-Key": "c-2"})

    assert (first.status_code, replay.status_code, replay.json()) == (200, 200, first.json())
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert other_key.status_code == 409
    assert other_key.json()["error"]["type"] == "payment_intent_unexpected_state"


async def test_an_unknown_payment_intent_is_404_with_a_reason(sandbox: httpx.AsyncClient):
    response = await sandbox.get("/v1/payment_intents/pi_missing")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "type": "resource_missing", "message": "No such payment_intent: 'pi_missing'", "param": "id"
    }


async def test_the_activity_turns_a_declined_card_into_a_non_retryable_application_error(
    gateway: HttpPaymentGateway,
):
    activities = PaymentActivities(gateway)

    with pytest.raises(ApplicationError) as failure:
        await ActivityEnvironment().run(activities.authorize_payment, authorize(card="pm_card_chargeDeclined"))

    assert failure.value.type == "CardDeclined"
    assert failure.value.non_retryable
    assert failure.value.details == ("generic_decline",)


async def test_a_hold_lapses_after_a_week_and_can_no_longer_be_captured(
    gateway: HttpPaymentGateway, sandbox: httpx.AsyncClient, clock: FakeClock
):
    held = await gateway.authorize(authorize())
    clock.advance(timedelta(days=7))

    with pytest.raises(PaymentRefused) as refused:
        await gateway.capture(capture(held.authorization_id))
    shown = (await sandbox.get(f"/v1/payment_intents/{held.authorization_id}")).json()

    assert refused.value.code == "charge_expired_for_capture"
    assert (shown["status"], shown["amount_capturable"], shown["amount_received"]) == ("canceled", 0, 0)
    await gateway.void(VoidAuthorization(order_id=ORDER, authorization_id=held.authorization_id, idempotency_key="v"))


async def test_a_hold_captured_within_the_week_is_taken(gateway: HttpPaymentGateway, clock: FakeClock):
    held = await gateway.authorize(authorize())
    clock.advance(timedelta(days=6, hours=23))

    assert await gateway.capture(capture(held.authorization_id)) == 10_000
