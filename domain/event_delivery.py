"""How order events reach one subscriber: in order, retried with exponential back-off, given up after three days.

A subscriber gets an order's events one after the other; the next waits until the one before was
taken, so a receiver sees them in the order they happened. A refused or unanswered delivery is
tried again after 10 s, 20 s, 40 s, ... (at most an hour apart) for three days from the first
failure in a row; then the subscriber is dead for this order until an operator resumes it, which
tries again at once and gives it another three days.
"""

from datetime import datetime, timedelta

from pydantic import BaseModel

FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=3)


def retry_delay(failures: int) -> timedelta:
    """The wait after the `failures`-th failure in a row (1, 2, ...): doubled each time, capped."""
    if failures < 1:
        raise ValueError("a retry follows at least one failure")
    doubled: timedelta = FIRST_RETRY * 2 ** min(failures - 1, 20)  # capped exponent: 2**20 * 10 s is far past the cap
    return min(doubled, LONGEST_RETRY)


class SubscriberProgress(BaseModel):
    """Where one subscriber is in one order's events, and how its deliveries are failing."""

    name: str
    delivered: int = 0  # how many of the order's events it has taken, counted from the first
    failures: int = 0  # in a row
    failing_since: datetime | None = None
    retry_at: datetime | None = None
    dead: bool = False
    last_error: str | None = None

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    def succeeded(self) -> None:
        self.delivered += 1
        self.failures, self.failing_since, self.retry_at, self.last_error = 0, None, None, None

    def failed(self, now: datetime, error: str) -> None:
        """One more failure: retry later, or give up once it has failed for GIVE_UP_AFTER."""
        self.failures += 1
        self.failing_since = self.failing_since or now
        self.last_error = error
        if now - self.failing_since >= GIVE_UP_AFTER:
            self.dead, self.retry_at = True, None
        else:
            self.retry_at = now + retry_delay(self.failures)

    def resume(self) -> None:
        """An operator asks for a try now: the failures so far no longer count towards giving up."""
        self.failures, self.failing_since, self.retry_at, self.dead = 0, None, None, False
