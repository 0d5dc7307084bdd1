"""Currencies: which codes are money in circulation, and how many digits their minor unit has.

From CLDR through Babel rather than a hand-kept list: currencies are withdrawn and introduced
(HRK went in 2023, XCG came in 2025), and their minor units differ (JPY has none, KWD three).
"""

from babel.core import get_global
from babel.numbers import get_currency_precision


def _in_circulation() -> frozenset[str]:
    """Codes that are legal tender in some territory today: no fund, metal, test or withdrawn codes."""
    return frozenset(
        code
        for currencies in get_global("territory_currencies").values()
        for code, _since, until, tender in currencies
        if until is None and tender
    )


CURRENCIES = _in_circulation()


def check_currency(code: str) -> str:
    if code not in CURRENCIES:
        raise ValueError(f"{code[:8]!r} is not an ISO 4217 currency in circulation (e.g. EUR, USD, JPY)")
    return code


def money(amount_minor: int, currency: str) -> str:
    """An amount as people read it: 1250 EUR cents is '12.50 EUR', 1250 JPY is '1250 JPY'."""
    digits = get_currency_precision(currency)
    if digits == 0:
        return f"{amount_minor} {currency}"
    units, minor = divmod(amount_minor, 10**digits)
    return f"{units}.{minor:0{digits}d} {currency}"
