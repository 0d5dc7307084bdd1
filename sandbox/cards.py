"""The payment stand-in's test payment methods (Stripe's test tokens), and what each one makes the gateway answer.

Orders carry the gateway's token for a card, never the card's number (domain.payment_method). As at
Stripe, each test token stands for one of the test cards (its last four digits are kept on the intent).

| payment_method                          | card | answer                                                          |
|-----------------------------------------|------|-----------------------------------------------------------------|
| pm_card_visa                            | 4242 | 200, status requires_capture; refunds go pending, then succeeded |
| pm_card_mastercard                      | 4444 | the same                                                        |
| pm_card_chargeDeclined                  | 0002 | 402 card_error, code card_declined, decline_code generic_decline |
| pm_card_chargeDeclinedInsufficientFunds | 9995 | 402 card_error, code card_declined, decline_code insufficient_funds |
| pm_card_chargeDeclinedExpiredCard       | 0069 | 402 card_error, code expired_card                               |
| pm_card_chargeDeclinedProcessingError   | 0119 | 500 api_error, code processing_error; nothing is stored (transient fault) |
| pm_card_refundFail                      | 5126 | 200, requires_capture; refunds go pending, then failed,          |
|                                         |      | failure_reason expired_or_canceled_card (its amount is refundable again) |
| a card number (12-19 digits)            |      | 422 invalid_request_error, code raw_card_number; nothing is stored |
| any other value                         |      | 400 invalid_request_error, code resource_missing                |

A refund settles on the first read once `Timing.refund_settle_after` has passed since it was created.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TestCard:
    """What the gateway answers for one test payment method."""

    __test__ = False  # a gateway's test card, not a pytest test class

    last4: str
    decline: tuple[str, str | None, str] | None = None  # (code, decline_code, message)
    processing_error: bool = False
    refund_failure: str | None = None  # the failure_reason its refunds end with


CARDS = {
    "pm_card_visa": TestCard("4242"),
    "pm_card_mastercard": TestCard("4444"),
    "pm_card_chargeDeclined": TestCard("0002", decline=("card_declined", "generic_decline", "Your card was declined.")),
    "pm_card_chargeDeclinedInsufficientFunds": TestCard(
        "9995", decline=("card_declined", "insufficient_funds", "Your card has insufficient funds.")
    ),
    "pm_card_chargeDeclinedExpiredCard": TestCard("0069", decline=("expired_card", None, "Your card has expired.")),
    "pm_card_chargeDeclinedProcessingError": TestCard("0119", processing_error=True),
    "pm_card_refundFail": TestCard("5126", refund_failure="expired_or_canceled_card"),
}
