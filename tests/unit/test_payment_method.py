"""Orders enter with the gateway's token for a card, never its number; orders placed before that still decode."""

import pytest
from pydantic import ValidationError

from domain.payment_method import check_payment_token, looks_like_card_number
from domain.placement import NewOrder, PlaceOrder
from tests.unit.factories import place_order


@pytest.mark.parametrize("number", ["4242424242424242", "4242 4242 4242 4242", "3782-822463-10005", "601100009013"])
def test_card_numbers_are_recognised_however_grouped(number: str) -> None:
    assert looks_like_card_number(number)


@pytest.mark.parametrize("text", ["pm_card_visa", "12345678901", "42424242424242424242", "4242x4242424242424242", ""])
def test_tokens_and_other_digit_counts_are_not_card_numbers(text: str) -> None:
    assert not looks_like_card_number(text)


def test_a_card_number_is_refused_saying_to_send_a_token() -> None:
    with pytest.raises(ValueError, match="card number is never accepted.*pm_card_visa"):
        check_payment_token("4242424242424242")


@pytest.mark.parametrize("text", ["visa", "pm_", "pm_card visa", "tok_visa"])
def test_anything_but_a_pm_token_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected a gateway token"):
        check_payment_token(text)


def test_a_new_order_with_a_card_number_is_refused() -> None:
    data = place_order().model_dump() | {"payment_method": "4000000000000002"}

    with pytest.raises(ValidationError, match="card number is never accepted"):
        NewOrder.model_validate(data)


def test_an_order_placed_before_tokens_still_decodes_with_its_card_number() -> None:
    data = place_order().model_dump() | {"payment_method": "4242424242424242"}

    assert PlaceOrder.model_validate(data).payment_method == "4242424242424242"
