"""How an order names the card it is paid with: a gateway token (`pm_...`), never the card's number.

PCI DSS forbids keeping a card number (PAN) where an order's history lives, encrypted or not: the
storefront hands the card to the gateway, which answers with a token, and only the token travels
with the order. Orders placed before this rule carry a number; the workflow still reads them, so
the rule is checked where orders enter (`NewOrder`, the client), not in the model it decodes.
"""

import re

TOKEN = re.compile(r"^pm_[A-Za-z0-9_]{1,61}$")
SEPARATORS = re.compile(r"[ -]")


def looks_like_card_number(text: str) -> bool:
    """12 to 19 digits, maybe grouped by spaces or dashes: the shape of every card number (ISO/IEC 7812)."""
    digits = SEPARATORS.sub("", text)
    return digits.isdigit() and 12 <= len(digits) <= 19


def check_payment_token(value: str) -> str:
    """`value` if it is a gateway token; a ValueError that says what to send instead otherwise."""
    if looks_like_card_number(value):
        raise ValueError("a card number is never accepted: send the gateway's token for the card (pm_..., e.g. pm_card_visa)")
    if not TOKEN.match(value):
        raise ValueError("expected a gateway token: pm_ and letters, digits or _ (e.g. pm_card_visa)")
    return value
