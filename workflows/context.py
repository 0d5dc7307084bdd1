"""What every part of the order workflow works with, and the only ways its effects leave it."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.mail import MailActivities
    from domain import story
    from domain.messages import CustomerMessage
    from domain.order import Order
    from domain.placement import PlaceOrder
    from workflows import options, patches
    from workflows.continuation import Continuation, Rest
    from workflows.event_outbox import EventOutbox, EventsHandedOver
    from workflows.metrics import OrderMetrics
    from workflows.outbox import Outbox
    from workflows.search import Publisher

Argument = TypeVar("Argument")
Result = TypeVar("Result")


class OrderContext:
    """The order, the command that placed it and its policy, and the workflow's effects.

    Each part of the workflow (Inbox, Attention, Reversal, Fulfilment) receives this one
    context. Effects go through it: activities are called and conditions awaited, customer
    notices are posted to go out in the background once each (Outbox), and the search
    attributes are published (Publisher) when a part has changed the order.

    A Temporal cancel request arrives as asyncio.CancelledError in whatever the workflow
    awaits. Here it is handed to `on_temporal_cancel`, which decides it like any other
    cancellation request, and the awaiting goes on: a step whose outcome may need undoing is
    never abandoned.
    """

    def __init__(
        self,
        command: PlaceOrder,
        order: Order,
        on_temporal_cancel: Callable[[], None],
        quiet: Callable[[], bool],
        events: EventsHandedOver | None = None,
    ) -> None:
        self.command = command
        self.policy = command.policy
        self.order = order
        self._on_temporal_cancel = on_temporal_cancel
        self._outbox = Outbox(order, self._send)
        carried = workflow.patched(patches.SEARCH_ATTRIBUTES_FROM_START)
        started_with = workflow.info().typed_search_attributes if carried else None
        self._publisher = Publisher(order, started_with)
        self._continuation = Continuation(command.policy, lambda: quiet() and self.posted_all)
        self._metrics = OrderMetrics(order)
        self.events = EventOutbox(command, order, events)

    async def call(
        self,
        activity: Callable[[Any, Argument], Awaitable[Result]],
        argument: Argument,
        profile: options.Profile = options.THIRD_PARTY,
    ) -> Result:
        """Run an activity to its end, with the timeouts and retries of its profile."""
        summary = story.activity(activity.__name__, argument, self.command.currency)
        options_ = options.activity_options(profile, self.policy)
        handle = workflow.start_activity_method(activity, argument, summary=summary, **options_)
        while True:
            try:
                # Shielded: a Temporal cancel must not abandon a step whose outcome we need to undo.
                return await asyncio.shield(handle)
            except asyncio.CancelledError:
                self._on_temporal_cancel()

    async def until(
        self,
        condition: Callable[[], bool],
        deadline: datetime | None = None,
        rest: Rest | None = None,
        *,
        cancel_ends: bool = False,
    ) -> bool:
        """Wait for the condition: True once it holds, False when the deadline comes first (or a
        Temporal cancel request, with `cancel_ends`). At a `rest` of the story, the order continues
        as a new run (ContinueAsNew) if its history grew long."""
        due = self._continuation.due if rest is not None else lambda: False
        while True:
            remaining = None if deadline is None else max(deadline - workflow.now(), timedelta(0))
            try:
                told = rest.told if rest is not None and remaining is not None else None
                await workflow.wait_condition(lambda: condition() or due(), timeout=remaining, timeout_summary=told)
            except TimeoutError:
                return False
            except asyncio.CancelledError:
                if cancel_ends:
                    return False
                self._on_temporal_cancel()
                continue
            if condition():
                return True
            assert rest is not None
            self._continuation.leave(rest, deadline)

    async def acquire(self, lock: asyncio.Lock) -> None:
        """Take the lock; a Temporal cancel request heard meanwhile does not abandon the taking."""
        while True:
            try:
                await lock.acquire()
                return
            except asyncio.CancelledError:
                self._on_temporal_cancel()

    async def _send(self, message: CustomerMessage) -> None:
        await self.call(MailActivities.send_message, message, options.MAIL)

    def post(self, message: CustomerMessage) -> None:
        """Send a notice after those posted before it, without holding the order back."""
        self._outbox.post(message)

    @property
    def posted_all(self) -> bool:
        """Every notice posted has gone out (or been recorded as undeliverable), every order event is handed over."""
        return self._outbox.is_empty() and self.events.is_empty()

    def publish(self) -> None:
        """Make the order's search attributes tell what the order now is (upserting only what changed),
        and count for the metrics what is new."""
        self.events.watch()
        self._publisher.publish()
        workflow.set_current_details(story.current(self.order))
        self.measure()

    def measure(self) -> None:
        """Count for the metrics what is new in the order; no command, so callable anywhere."""
        self._metrics.observe()
