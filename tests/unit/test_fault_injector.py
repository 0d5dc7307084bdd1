"""Deciding a request's fate: one draw against the rates, reproducible from the seed, counted per endpoint."""

import pytest

from runtime.fault_injector import FaultInjector, Outcome, decide
from runtime.fault_spec import Fault, parse_faults


@pytest.mark.parametrize(
    ("roll", "outcome"),
    [(0.0, Outcome.ERROR), (0.199, Outcome.ERROR), (0.2, Outcome.LOST), (0.499, Outcome.LOST), (0.5, Outcome.SERVED)],
)
def test_one_draw_below_error_is_refused_below_error_plus_lost_is_lost(roll: float, outcome: Outcome) -> None:
    assert decide(Fault(error=0.2, lost=0.3), roll) is outcome


def test_certain_rates_always_strike_and_zero_never() -> None:
    assert decide(Fault(error=1), 0.999) is Outcome.ERROR
    assert decide(Fault(lost=1), 0.999) is Outcome.LOST
    assert decide(Fault(latency_ms=5), 0.0) is Outcome.SERVED


def outcomes(injector: FaultInjector, count: int = 200) -> list[Outcome]:
    return [injector.draw("payment.capture").outcome for _ in range(count)]


def test_the_same_seed_gives_the_same_faults_and_a_new_table_starts_its_draws_afresh() -> None:
    table = parse_faults("seed=3;payment.capture:error=0.3,lost=0.3")
    first = FaultInjector(table)
    drawn = outcomes(first)

    assert outcomes(FaultInjector(table)) == drawn
    assert {Outcome.ERROR, Outcome.LOST, Outcome.SERVED} <= set(drawn)
    first.replace(table)
    assert outcomes(first) == drawn


def test_an_endpoint_draws_the_same_faults_whatever_the_other_endpoints_receive() -> None:
    table = parse_faults("seed=3;*:error=0.3,lost=0.3")
    alone = outcomes(FaultInjector(table))
    busy = FaultInjector(table)

    interleaved = []
    for _ in range(200):
        busy.draw("smtp")
        interleaved.append(busy.draw("payment.capture").outcome)

    assert interleaved == alone


def test_a_table_without_a_seed_gets_one_that_reproduces_the_run() -> None:
    table = parse_faults("payment.capture:error=0.5")
    unseeded = FaultInjector(table)

    again = FaultInjector(table.model_copy(update={"seed": unseeded.seed}))

    assert outcomes(unseeded) == outcomes(again)


def test_the_counters_say_per_endpoint_how_many_requests_were_refused_lost_and_delayed() -> None:
    injector = FaultInjector(parse_faults("payment.capture:error=1,latency=10ms;smtp:lost=1"))

    capture = injector.draw("payment.capture")
    injector.draw("smtp")
    injector.draw("smtp")
    served = injector.draw("carrier.label")

    assert (capture.outcome, capture.delay_seconds) == (Outcome.ERROR, 0.01)
    assert (served.outcome, served.delay_seconds) == (Outcome.SERVED, 0.0)
    assert injector.counters() == {
        "carrier.label": {"requests": 1, "error": 0, "lost": 0, "delayed": 0},
        "payment.capture": {"requests": 1, "error": 1, "lost": 0, "delayed": 1},
        "smtp": {"requests": 2, "error": 0, "lost": 2, "delayed": 0},
    }
    injector.reset_counters()
    assert injector.counters() == {}
