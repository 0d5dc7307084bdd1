"""Amounts are told in each currency's own minor unit: cents, none, or thousandths."""

import pytest

from domain import messages
from domain.currency import CURRENCIES, money
from tests.unit.factories import order_at, place_order


@pytest.mark.parametrize(
    ("amount_minor", "currency", "told"),
    [
        (1250, "EUR", "12.50 EUR"),
        (5, "USD", "0.05 USD"),
        (1250, "JPY", "1250 JPY"),
        (1250, "KWD", "1.250 KWD"),
        (0, "GBP", "0.00 GBP"),
    ],
)
def test_an_amount_is_told_in_its_currencys_minor_unit(amount_minor, currency, told):
    assert money(amount_minor, currency) == told


def test_the_currencies_in_circulation_include_the_common_ones_and_none_that_are_not_money():
    assert {"EUR", "USD", "GBP", "JPY", "CHF", "KWD", "XCG"} <= CURRENCIES
    assert not {"XTS", "XXX", "XAU", "HRK", "DEM"} & CURRENCIES


def test_an_order_in_yen_is_confirmed_in_whole_yen():
    order = order_at(command=place_order(unit_price_minor=1500, currency="JPY"))

    assert "Total: 3499 JPY." in messages.confirmation(order).body
