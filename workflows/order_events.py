"""OrderEventsWorkflow: delivers one order's events to every subscriber, durably, without holding the order back."""

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.order_events import Delivery, OrderEventActivities
    from domain.event_delivery import Deliveries, SubscriberProgress
    from domain.order_events import OrderEvent
    from workflows.search import WEBHOOK_FAILING

# One POST per attempt; the back-off between attempts is the workflow's, so that it can tell operators.
_ATTEMPT_TIMEOUT = timedelta(seconds=30)
_ONE_ATTEMPT = RetryPolicy(maximum_attempts=1)


class EventBatch(BaseModel):
    """Events the order recorded since its last batch; `closed` once the order's workflow has ended."""

    events: list[OrderEvent] = []
    closed: bool = False


@workflow.defn
class OrderEventsWorkflow:
    """Tells each subscriber an order's events, one after the other, each until it is taken.

    The order starts it as a child that outlives it (ParentClosePolicy.ABANDON), with its first
    events, and signals it the later ones (`add`). Each subscriber has its own loop, so one that
    fails holds back no other: a failed POST is tried again with exponential back-off
    (domain.event_delivery) and, while it fails, the subscriber's name is in the WebhookFailing
    search attribute; after three days it is dead for this order until `resume`. The run ends once
    the order has ended and every subscriber took every event; it continues as a new run, without
    the events all have taken, when its history grows long.
    """

    @workflow.init
    def __init__(self, start: Deliveries) -> None:
        self._state = start
        self._stopping = False
        self._published: list[str] = []

    @workflow.run
    async def run(self, start: Deliveries) -> None:
        state = self._state
        self._publish()
        loops = [asyncio.create_task(self._serve(progress)) for progress in state.subscribers]
        await workflow.wait_condition(lambda: state.finished or self._long())
        self._stopping = True
        await asyncio.gather(*loops)
        await workflow.wait_condition(workflow.all_handlers_finished)
        if state.finished:
            return
        state.trim()
        workflow.continue_as_new(state)

    @workflow.signal
    def add(self, batch: EventBatch) -> None:
        """Events the order recorded since its last batch."""
        self._state.add(batch.events, batch.closed)

    @workflow.update
    def resume(self) -> list[str]:
        """Try every failing or dead subscriber again now; answers their names."""
        resumed = self._state.resume_failing()
        self._publish()
        return resumed

    @workflow.query
    def progress(self) -> Deliveries:
        return self._state

    def _long(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= self._state.events_per_run

    def _due(self, progress: SubscriberProgress) -> bool:
        if progress.dead or self._state.next_for(progress) is None:
            return False
        return progress.retry_at is None or workflow.now() >= progress.retry_at

    async def _serve(self, progress: SubscriberProgress) -> None:
        while True:
            wake = progress.retry_at if progress.retry_at is not None and not progress.dead else None
            wait = max(wake - workflow.now(), timedelta(0)) if wake is not None else None
            try:
                await workflow.wait_condition(
                    lambda: self._stopping or self._due(progress),
                    timeout=wait or None,
                    timeout_summary=f"retry {progress.name}" if wait else None,
                )
            except TimeoutError:
                pass  # the back-off is over: _due says so now
            if self._stopping:
                return
            if self._due(progress):
                await self._attempt(progress)

    async def _attempt(self, progress: SubscriberProgress) -> None:
        event = self._state.next_for(progress)
        assert event is not None  # _due
        try:
            await workflow.execute_activity_method(
                OrderEventActivities.deliver_order_event,
                Delivery(subscriber=progress.name, event=event),
                summary=f"{event.type} to {progress.name}",
                start_to_close_timeout=_ATTEMPT_TIMEOUT,
                retry_policy=_ONE_ATTEMPT,
            )
        except ActivityError as error:
            progress.failed(workflow.now(), str(error.cause or error))
            if progress.dead:
                workflow.logger.warning("giving up on %s for %s: %s", progress.name, event.id, progress.last_error)
        else:
            progress.succeeded()
        self._publish()

    def _publish(self) -> None:
        """WebhookFailing: the subscribers whose deliveries fail or were given up on, for operators to find."""
        failing = self._state.failing()
        if failing != self._published:
            workflow.upsert_search_attributes([WEBHOOK_FAILING.value_set(failing) if failing else WEBHOOK_FAILING.value_unset()])
            self._published = failing
