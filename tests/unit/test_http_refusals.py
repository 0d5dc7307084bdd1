"""Which HTTP answers of a third party are a considered "no", and which are left to retries."""

import httpx
import pytest

from activities.carrier_http import CarrierRefused
from activities.carrier_http import answer as carrier_answer
from activities.payment import PaymentRefused
from activities.payment_http import answer as payment_answer


def response(status: int, body: object) -> httpx.Response:
    request = httpx.Request("POST", "http://gateway/v1/refunds")
    return httpx.Response(status, json=body, request=request)


IN_FLIGHT = {"error": {"type": "idempotency_error", "message": "another request with this key is in progress"}}


@pytest.mark.parametrize("answer", [payment_answer, carrier_answer], ids=["payment", "carrier"])
@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(409, IN_FLIGHT, id="key still in flight"),
        pytest.param(500, {"error": {"type": "api_error", "message": "boom"}}, id="server error"),
        pytest.param(429, {"error": {"type": "rate_limit_error", "message": "slow down"}}, id="throttled"),
        pytest.param(403, "<html>proxy</html>", id="not the error shape"),
    ],
)
def test_an_answer_that_is_not_a_considered_no_is_left_to_the_retry_policy(answer, status, body):
    with pytest.raises(httpx.HTTPStatusError):
        answer(response(status, body))


@pytest.mark.parametrize(
    ("answer", "refused"), [(payment_answer, PaymentRefused), (carrier_answer, CarrierRefused)], ids=["payment", "carrier"]
)
def test_a_conflict_about_the_object_is_a_refusal_a_retry_cannot_change(answer, refused):
    body = {"error": {"type": "invalid_request_error", "message": "charge already refunded"}}

    with pytest.raises(refused, match="charge already refunded"):
        answer(response(409, body))
