"""The Payment part keeps the money invariants on its own; the Ledger tells where money went since a moment."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvariantViolation
from domain.payment import Ledger, Payment, PaymentState
from domain.policy import Policy
from tests.unit.factories import Stage, order_at


def held(amount_minor: int = 3000) -> Payment:
    payment = Payment()
    payment.hold("pi_1", amount_minor)
    return payment


def captured(amount_minor: int = 3000) -> Payment:
    payment = held(amount_minor)
    payment.capture(amount_minor)
    return payment


def test_a_hold_is_an_authorization_that_must_be_released() -> None:
    payment = held()

    assert (payment.state, payment.authorization_id, payment.authorized_minor) == (PaymentState.AUTHORIZED, "pi_1", 3000)
    assert payment.holds_authorization and not payment.settled


def test_a_capture_beyond_the_hold_is_refused_and_changes_nothing() -> None:
    payment = held(3000)

    with pytest.raises(InvariantViolation):
        payment.capture(3001)

    assert (payment.state, payment.captured_minor) == (PaymentState.AUTHORIZED, 0)


def test_a_refund_beyond_what_is_still_captured_is_refused() -> None:
    payment = captured(3000)
    payment.refund_started(2000)

    with pytest.raises(InvariantViolation):
        payment.refund_started(1001)

    assert (payment.refund_pending_minor, payment.outstanding_minor) == (2000, 1000)


def test_a_refund_never_started_cannot_settle() -> None:
    payment = captured()

    with pytest.raises(InvariantViolation):
        payment.refund_settled(100, True)


def test_a_failed_refund_gives_the_money_back_to_what_is_outstanding() -> None:
    payment = captured(3000)
    payment.refund_started(3000)

    payment.refund_settled(3000, False)

    assert (payment.refunded_minor, payment.refund_pending_minor, payment.outstanding_minor) == (0, 0, 3000)


def test_store_credit_is_money_given_back_at_once() -> None:
    payment = captured(3000)

    payment.store_credit(3000)

    assert (payment.refunded_minor, payment.store_credit_minor, payment.outstanding_minor) == (3000, 3000, 0)
    assert payment.settled


def test_a_capture_found_by_a_void_is_counted_once() -> None:
    payment = held(3000)

    assert payment.capture_found(3000)
    assert not payment.capture_found(3000)

    assert (payment.state, payment.captured_minor) == (PaymentState.CAPTURED, 3000)


def test_a_voided_hold_is_settled() -> None:
    payment = held()

    payment.void()

    assert payment.settled and not payment.holds_authorization


def test_the_ledger_tells_what_went_to_the_card_and_what_to_store_credit_since() -> None:
    payment = captured(5000)
    payment.refund_started(1000)
    payment.refund_settled(1000, True)
    since = Ledger.of(payment)

    payment.refund_started(1500)
    payment.refund_settled(1500, True)
    payment.store_credit(700)

    assert since.gone_back(payment) == (1500, 700)


def test_a_hold_made_at_a_known_time_lapses_a_week_later_and_then_holds_nothing() -> None:
    payment = Payment()
    payment.hold("pi_1", 3000, datetime(2026, 3, 1, tzinfo=UTC))

    assert payment.hold_expires_at(timedelta(days=7)) == datetime(2026, 3, 8, tzinfo=UTC)
    payment.expire()
    assert (payment.state, payment.reauthorizations) == (PaymentState.EXPIRED, 1)
    assert not payment.holds_authorization and payment.settled
    assert payment.hold_expires_at(timedelta(days=7)) is None


def test_a_hold_of_unknown_age_never_counts_as_lapsed() -> None:
    assert held().hold_expires_at(timedelta(days=7)) is None


def test_only_an_uncaptured_hold_lapses() -> None:
    payment = captured()

    with pytest.raises(InvariantViolation):
        payment.expire()
    assert payment.state is PaymentState.CAPTURED


def test_an_order_asks_for_a_new_hold_from_the_margin_before_its_hold_lapses() -> None:
    order = order_at(Stage.CONFIRMED)
    policy = Policy()
    assert order.money.authorized_at is not None
    lapses = order.money.authorized_at + policy.authorization_valid_for

    assert not order.hold_lapsing(policy, lapses - policy.reauthorize_before_expiry - timedelta(seconds=1))
    assert order.hold_lapsing(policy, lapses - policy.reauthorize_before_expiry)
