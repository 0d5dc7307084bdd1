"""The currencies the payment stand-in takes: those in circulation, the same set orders are placed in
(domain.currency). Case-insensitive on the wire, as at Stripe."""

from typing import Annotated

from pydantic import AfterValidator

from domain.currency import CURRENCIES


def known_currency(value: str) -> str:
    """`value` unchanged (it is part of the request's idempotency fingerprint) when its capitals are a known code."""
    if value.upper() not in CURRENCIES:
        raise ValueError(f"{value[:8]!r} is not an ISO 4217 currency code this gateway takes (e.g. EUR, USD, GBP)")
    return value


Currency = Annotated[str, AfterValidator(known_currency)]
