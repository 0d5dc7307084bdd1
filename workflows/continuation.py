"""Continuing an order as a new run once its history grows long, and taking it up where it rested.

A run's history may not grow without bound (Temporal terminates a run at 50,000 events and takes
at most 2,000 updates per run): an order flooded with requests or scans continues as a new run,
with the same workflow id and the same contract, carrying its whole state. It does so only where
the forward story rests (a window, a wait for a review, for the carrier, for the end of the return
or answer period) and only when the order is quiet: no step, compensation or notice in flight, no
person asked, no intercept open and no handler running, so no request or answer is lost.
"""

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.order import Order
    from domain.placement import PlaceOrder
    from domain.policy import Policy
    from workflows import patches
    from workflows.event_outbox import EventsHandedOver


class Rest(StrEnum):
    """Where the forward story waits long enough to continue as a new run, in the story's order."""

    WINDOW = "WINDOW"
    REVIEW_BEFORE_CAPTURE = "REVIEW_BEFORE_CAPTURE"
    REVIEW_BEFORE_LABEL = "REVIEW_BEFORE_LABEL"
    AWAIT_PICKUP = "AWAIT_PICKUP"
    AWAIT_DELIVERY = "AWAIT_DELIVERY"
    RETURN_PERIOD = "RETURN_PERIOD"
    ENDED = "ENDED"  # the order has ended and answers late requests until its answer period is over

    @property
    def told(self) -> str:
        """The timer's summary in the Web UI's timeline."""
        return _TOLD[self]

    def at_or_before(self, other: "Rest") -> bool:
        order = list(Rest)
        return order.index(self) <= order.index(other)


_TOLD = {
    Rest.WINDOW: "free-cancellation window",
    Rest.REVIEW_BEFORE_CAPTURE: "waiting for a review before capture",
    Rest.REVIEW_BEFORE_LABEL: "waiting for a review before the label",
    Rest.AWAIT_PICKUP: "waiting for the carrier's pickup scan",
    Rest.AWAIT_DELIVERY: "waiting for the delivery scan",
    Rest.RETURN_PERIOD: "return period",
    Rest.ENDED: "answering late requests",
}


class Continued(BaseModel):
    """What one run hands the next: the order and its command, where its story rested and that wait's deadline."""

    command: PlaceOrder
    order: Order
    rest: Rest
    deadline: datetime | None
    cancelled_by_temporal: bool = False
    events: EventsHandedOver | None = None  # None from a run before order events, or of an order without them


class ContinueAsNew(Exception):
    """Unwinds the story from a rest to the workflow's run, which continues the order as a new run."""

    def __init__(self, rest: Rest, deadline: datetime | None) -> None:
        super().__init__(f"continue as new at {rest}")
        self.rest = rest
        self.deadline = deadline


class Continuation:
    """Tells a rest when the run should end and the order continue as a new run."""

    def __init__(self, policy: Policy, quiet: Callable[[], bool]) -> None:
        self._policy = policy
        self._quiet = quiet
        self._allowed = True

    def due(self) -> bool:
        """The history is long (or Temporal suggests a new run) and nothing is under way."""
        if not self._allowed:
            return False
        info = workflow.info()
        long = info.is_continue_as_new_suggested() or info.get_current_history_length() >= self._policy.events_per_run
        return long and self._quiet() and workflow.all_handlers_finished()

    def leave(self, rest: Rest, deadline: datetime | None) -> None:
        """Raise ContinueAsNew; an order started before this release keeps its one run instead."""
        if workflow.patched(patches.CONTINUE_AS_NEW):
            raise ContinueAsNew(rest, deadline)
        self._allowed = False
