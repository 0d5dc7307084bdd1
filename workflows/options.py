"""Timeouts and retry policies of every activity call, by kind of call and the order's policy.

Transient faults (a gateway timing out, a 5xx) are retried with capped backoff until the
order's retry budget is spent; then a person is asked (NEEDS_ATTENTION), never a silent
failure. Business answers (declined card, out of stock, label already scanned) are
non-retryable ApplicationErrors raised by the activities, so no policy here repeats them.
"""

from datetime import timedelta
from enum import StrEnum
from typing import Any

from temporalio.common import RetryPolicy

from domain.policy import Policy


class Profile(StrEnum):
    THIRD_PARTY = "THIRD_PARTY"
    INVENTORY = "INVENTORY"
    FOLLOW = "FOLLOW"
    MAIL = "MAIL"


THIRD_PARTY, INVENTORY, FOLLOW, MAIL = Profile.THIRD_PARTY, Profile.INVENTORY, Profile.FOLLOW, Profile.MAIL

# An SMTP send runs in a thread that a timed-out attempt cannot stop: the attempt outlasts the
# whole exchange (connect, EHLO, MAIL, RCPT, DATA, QUIT at SmtpMailer's 5 s each), so a retry
# never sends beside a send still under way.
_ATTEMPT = {THIRD_PARTY: timedelta(seconds=10), INVENTORY: timedelta(seconds=5), MAIL: timedelta(seconds=45)}

_BACKOFF = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))

# Polling a refund: its activity raises while the refund is pending, so the retry policy is the
# polling loop; refunds can take days to fail, so it backs off to hourly.
_POLL = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(hours=1))


def activity_options(profile: Profile, policy: Policy) -> dict[str, Any]:
    if profile is FOLLOW:
        return {
            "start_to_close_timeout": timedelta(seconds=10),
            "schedule_to_close_timeout": policy.refund_deadline,
            "retry_policy": _POLL,
        }
    # A call answers in seconds or is treated as lost and retried under the same idempotency
    # key, which makes the retry safe; local SQL transactions get a shorter leash.
    return {
        "start_to_close_timeout": _ATTEMPT[profile],
        "schedule_to_close_timeout": policy.retry_budget,
        "retry_policy": _BACKOFF,
    }
