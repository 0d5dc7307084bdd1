"""The policy an order carries: it refuses times that would make no sense or mean "never"."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain.policy import Policy

DURATIONS = [name for name, field in Policy.model_fields.items() if field.annotation is timedelta]


@pytest.mark.parametrize("name", DURATIONS)
def test_no_duration_may_be_negative(name: str) -> None:
    with pytest.raises(ValidationError, match=name):
        Policy(**{name: timedelta(seconds=-1)})


@pytest.mark.parametrize("name", ["retry_budget", "refund_deadline"])
def test_a_zero_budget_is_refused_because_temporal_would_read_it_as_no_limit(name: str) -> None:
    with pytest.raises(ValidationError, match=name):
        Policy(**{name: timedelta(0)})


def test_zero_windows_and_periods_are_allowed() -> None:
    zero = timedelta(0)
    policy = Policy(free_cancellation_window=zero, return_period=zero, answer_period=zero)

    assert (policy.free_cancellation_window, policy.return_period, policy.answer_period) == (zero, zero, zero)
