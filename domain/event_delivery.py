"""How order events reach one subscriber: in order, retried with exponential back-off, given up after three days.

A subscriber gets an order's events one after the other; the next waits until the one before was
taken, so a receiver sees them in the order they happened. A refused or unanswered delivery is
tried again after 10 s, 20 s, 40 s, ... (at most an hour apart) for three days from the first
failure in a row; then the subscriber is dead for this order until an operator resumes it, which
tries again at once and gives it another three days.
"""

from datetime import datetime, timedelta

from pydantic import BaseModel

from domain.order_events import OrderEvent, event_index

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


def told(progress: SubscriberProgress) -> str:
    """One subscriber's failing as an operator reads it: given up or retrying, since when, and why."""
    since = progress.failing_since.isoformat(timespec="seconds") if progress.failing_since else "?"
    state = "gave up" if progress.dead else f"retrying ({progress.failures} failures)"
    return f"{progress.name} {state} since {since}: {progress.last_error}"


class Deliveries(BaseModel):
    """One order's events not yet taken by every subscriber, and each subscriber's progress through them
    (the OrderEventsWorkflow's state, carried whole into its next run)."""

    order_id: str
    subscribers: list[SubscriberProgress]
    events: list[OrderEvent] = []
    offset: int = 0  # how many of the order's events came before events[0] (every subscriber took those)
    closed: bool = False  # the order's workflow has ended: no event will follow
    events_per_run: int = 2_000  # a run of the delivery workflow continues as new past this many history events

    @property
    def total(self) -> int:
        return self.offset + len(self.events)

    def add(self, events: list[OrderEvent], closed: bool) -> None:
        """Take the order's newer events; one sent again (the order was reset) is known by its place and dropped."""
        last = max((event_index(event) for event in self.events), default=-1)
        for event in events:
            if event_index(event) > last:
                self.events.append(event)
                last = event_index(event)
        self.closed = self.closed or closed

    def next_for(self, progress: SubscriberProgress) -> OrderEvent | None:
        return self.events[progress.delivered - self.offset] if progress.delivered < self.total else None

    @property
    def finished(self) -> bool:
        """The order has ended and every subscriber took every event."""
        return self.closed and all(progress.delivered == self.total for progress in self.subscribers)

    def failing(self) -> list[str]:
        """The subscribers whose deliveries fail (or were given up on), by name."""
        return sorted(progress.name for progress in self.subscribers if progress.failing or progress.dead)

    def resume_failing(self) -> list[str]:
        """An operator's `resume`: every failing or given-up subscriber is tried again now; their names."""
        resumed = self.failing()
        for progress in self.subscribers:
            if progress.name in resumed:
                progress.resume()
        return resumed

    def trim(self) -> None:
        """Forget the events every subscriber took, so a run carries only what is still to deliver."""
        taken = min((progress.delivered for progress in self.subscribers), default=self.total)
        self.events, self.offset = self.events[taken - self.offset :], taken
