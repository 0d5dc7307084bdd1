"""The order's side of its events: read them off the order as it changes and hand them to its OrderEventsWorkflow.

Only an order placed with subscribers (PlaceOrder.event_subscribers, stamped by the placing
client from its settings) has events: any other emits no command for them at all, so its
history is as it was before this release.
"""

import asyncio

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import FailureError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from domain.event_delivery import Deliveries, SubscriberProgress
    from domain.order import Order
    from domain.order_events import events_since, events_workflow_id
    from domain.placement import PlaceOrder
    from workflows import patches
    from workflows.order_events import EventBatch, OrderEventsWorkflow


class EventsHandedOver(BaseModel):
    """What one run of the order tells the next of its events (workflows.continuation.Continued)."""

    cursor: int  # the timeline entries before it were read for events
    started: bool  # the OrderEventsWorkflow runs


class EventOutbox:
    """Watches the order's timeline and hands its events over batch after batch, in order, in the
    background: the order never waits for it, except to end its run or continue as a new one."""

    def __init__(self, command: PlaceOrder, order: Order, carried: EventsHandedOver | None) -> None:
        self._command, self._order = command, order
        self._cursor = carried.cursor if carried else 0
        self._started = carried.started if carried else False
        self._asked = False
        self._watching = False
        self._closing = False
        self._closed = False
        self._sending = False

    def watch(self) -> None:
        """Begin watching, once per run, if the order has subscribers."""
        if self._asked or not self._command.event_subscribers:
            return
        self._asked = True
        # Asked only of orders with subscribers, so that no other order gets the patch's marker.
        if workflow.patched(patches.ORDER_EVENTS):
            self._watching = True
            asyncio.create_task(self._watch())

    async def close(self) -> None:
        """The order's run is ending for good: hand over the last events and let the delivery end too."""
        self._closing = True
        await workflow.wait_condition(lambda: self._closed or not self._watching)

    def is_empty(self) -> bool:
        """Every event the order recorded so far is handed over (True for an order without subscribers)."""
        return not self._watching or not self._sending and self._cursor == len(self._order.timeline)

    def handed_over(self) -> EventsHandedOver:
        return EventsHandedOver(cursor=self._cursor, started=self._started)

    async def _watch(self) -> None:
        timeline = self._order.timeline
        while True:
            await workflow.wait_condition(lambda: len(timeline) > self._cursor or self._closing)
            self._sending = True
            batch = EventBatch(events=events_since(self._order, self._cursor), closed=self._closing)
            self._cursor = len(timeline)
            if batch.events or (batch.closed and self._started):
                try:
                    await self._hand_over(batch)
                except FailureError as error:
                    # Never hold the order back for its events: the loss is left where operators look.
                    workflow.logger.warning("order events %s not handed over: %s", [e.id for e in batch.events], error)
            self._sending = False
            if batch.closed:
                self._closed = True
                return

    async def _hand_over(self, batch: EventBatch) -> None:
        if not self._started:
            self._started = True
            if await self._started_with(batch):
                return
        try:
            await workflow.get_external_workflow_handle(events_workflow_id(self._order.order_id)).signal(
                OrderEventsWorkflow.add, batch
            )
        except FailureError:
            # An operator ended the delivery: a new one takes this batch (subscribers know repeats by id).
            if not await self._started_with(batch):
                raise

    async def _started_with(self, batch: EventBatch) -> bool:
        """Start the delivery with this batch as its input; False if it runs already (the order was
        reset), so the batch must be signalled: its events are known there by their ids."""
        start = Deliveries(
            order_id=self._order.order_id,
            subscribers=[SubscriberProgress(name=name) for name in self._command.event_subscribers],
            events=batch.events,
            closed=batch.closed,
        )
        try:
            await workflow.start_child_workflow(
                OrderEventsWorkflow.run,
                start,
                id=events_workflow_id(self._order.order_id),
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                static_summary=f"events of order {self._order.order_id}",
            )
        except WorkflowAlreadyStartedError:
            return False
        return True
