"""A load's clients ask again through transient failures, and only through those, within their patience."""

from datetime import timedelta

import httpx
import pytest

from starter.errors import NoWorker, OrderNotFound
from starter.load.patience import TRANSIENT, PatientTransport, ServerFault, again_and_again


class Flaky:
    """Fails with `error` the first `failures` times, then answers."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "answer"


async def test_a_transient_failure_is_asked_again_until_it_answers() -> None:
    flaky = Flaky(2, NoWorker("o-1"))

    assert await again_and_again(flaky, timedelta(seconds=30), TRANSIENT) == "answer"
    assert flaky.calls == 3


async def test_a_failure_that_is_not_transient_is_raised_at_once() -> None:
    flaky = Flaky(1, OrderNotFound("o-1"))

    with pytest.raises(OrderNotFound):
        await again_and_again(flaky, timedelta(seconds=30), TRANSIENT)
    assert flaky.calls == 1


async def test_past_its_patience_the_last_transient_failure_is_raised() -> None:
    with pytest.raises(NoWorker):
        await again_and_again(Flaky(5, NoWorker("o-1")), timedelta(0), TRANSIENT)


def answering(*statuses: int) -> tuple[httpx.MockTransport, list[int]]:
    """A stand-in that answers each status in turn (the last one from then on); the statuses it sent."""
    sent: list[int] = []

    def handle(_: httpx.Request) -> httpx.Response:
        sent.append(statuses[min(len(sent), len(statuses) - 1)])
        return httpx.Response(sent[-1], json={})

    return httpx.MockTransport(handle), sent


async def test_a_stand_in_that_fails_is_sent_the_request_again_but_a_refusal_is_final() -> None:
    failing, failing_sent = answering(503, 500, 200)
    refusing, refusing_sent = answering(409, 200)

    async with httpx.AsyncClient(transport=PatientTransport(timedelta(seconds=30), failing)) as http:
        answered = await http.post("http://sandbox/carrier/shipments/s-1/scan", json={"event": "PICKED_UP"})
    async with httpx.AsyncClient(transport=PatientTransport(timedelta(seconds=30), refusing)) as http:
        refused = await http.post("http://sandbox/carrier/shipments/s-1/scan", json={"event": "PICKED_UP"})

    assert (answered.status_code, failing_sent) == (200, [503, 500, 200])
    assert (refused.status_code, refusing_sent) == (409, [409])


async def test_a_stand_in_failing_past_the_patience_is_an_error() -> None:
    failing, _ = answering(503)

    async with httpx.AsyncClient(transport=PatientTransport(timedelta(0), failing)) as http:
        with pytest.raises(ServerFault, match="HTTP 503"):
            await http.get("http://sandbox/v1/payment_intents")
