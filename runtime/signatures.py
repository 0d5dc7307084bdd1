"""Signed webhooks, the Stripe way, in both directions (the carrier's in, order events out).

The sender puts `Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">` on each
POST. The receiver recomputes it with each secret it accepts (several while a secret is rotated) and
refuses a timestamp further than the tolerance from its own clock, so a captured request cannot be
replayed later; within the tolerance, the event id deduplicates. Pure: the clock is an argument.
"""

import hashlib
import hmac
from collections.abc import Sequence
from datetime import timedelta

HEADER = "Webhook-Signature"
TOLERANCE = timedelta(minutes=5)


class SignatureRefused(Exception):
    """A webhook that must not be acted on; the message says why (missing, malformed, wrong or stale)."""


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(
    header: str | None, body: bytes, secrets: Sequence[str], now: int, tolerance: timedelta = TOLERANCE
) -> int:
    """The signed timestamp, if one of `secrets` signed exactly `body` within `tolerance` of `now`."""
    if not header:
        raise SignatureRefused(f"missing {HEADER} header")
    fields = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for name, _, value in fields if name == "t"]
    signatures = [value for name, _, value in fields if name == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise SignatureRefused(f"malformed {HEADER} header: expected t=<unix seconds>,v1=<hex digest>")
    timestamp = int(stamps[0])
    expected = [_mac(secret, timestamp, body) for secret in secrets]
    if not any(hmac.compare_digest(mine, theirs) for mine in expected for theirs in signatures):
        raise SignatureRefused("signature does not match the body")
    if abs(now - timestamp) > tolerance.total_seconds():
        raise SignatureRefused(f"stale signature: signed {now - timestamp} s from now, beyond {tolerance}")
    return timestamp
