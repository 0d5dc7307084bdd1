"""Order events out: one event to one subscriber, signed, carrying its id so that the receiver drops a repeat."""

from typing import Protocol

from pydantic import BaseModel
from temporalio import activity

from domain.order_events import OrderEvent


class Delivery(BaseModel):
    """One event for one subscriber, named as configured (runtime.webhook_subscribers)."""

    subscriber: str
    event: OrderEvent


class EventReceivers(Protocol):
    async def deliver(self, subscriber: str, event: OrderEvent) -> None:
        """Hand the event to the subscriber; raise unless it took it. Sending it again is harmless:
        the receiver knows it by its id."""
        ...


class OrderEventActivities:
    """The delivery activity, over any EventReceivers."""

    def __init__(self, receivers: EventReceivers) -> None:
        self._receivers = receivers

    @activity.defn
    async def deliver_order_event(self, delivery: Delivery) -> None:
        """POST one order event to one subscriber."""
        await self._receivers.deliver(delivery.subscriber, delivery.event)
