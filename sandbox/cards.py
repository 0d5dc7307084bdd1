"""The payment stand-in's test cards (Stripe's numbers), and what each one makes the gateway answer.

| payment_method         | answer                                                                        |
|------------------------|-------------------------------------------------------------------------------|
| 4242424242424242       | 200, status requires_capture; refunds go pending, then succeeded              |
| 4000000000000002       | 402 card_error, code card_declined, decline_code generic_decline              |
| 4000000000009995       | 402 card_error, code card_declined, decline_code insufficient_funds           |
| 4000000000000069       | 402 card_error, code expired_card                                             |
| 4000000000000119       | 500 api_error, code processing_error; nothing is stored (transient fault)     |
| 4000000000005126       | 200, requires_capture; refunds go pending, then failed, failure_reason        |
|                        | expired_or_canceled_card (a failed refund gives its amount back to refund)   |
| any other 12-19 digits | 200, status requires_capture; refunds go pending, then succeeded              |
| anything else          | 400 invalid_request_error                                                     |

A refund settles on the first read once `Timing.refund_settle_after` has passed since it was created.
"""

DECLINES = {  # card -> (code, decline_code, message)
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "4000000000000069": ("expired_card", None, "Your card has expired."),
}
PROCESSING_ERROR_CARD = "4000000000000119"
REFUND_FAILURES = {  # card -> the failure_reason its refunds end with
    "4000000000005126": "expired_or_canceled_card",
}
