"""Waiting for the carrier: its scans, their deadlines, and the parcel held back during a review."""

from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.carrier import CarrierActivities, HoldPickup, ReleasePickup
    from domain import keys
    from domain.requests import ResolutionAction
    from domain.shipment import RETURNED_UNDELIVERED, CarrierWait, came_back
    from workflows import patches
    from workflows.context import OrderContext
    from workflows.continuation import Rest
    from workflows.forward_steps import ForwardSteps


class CarrierWaits:
    """Awaits a scan of the carrier; past its deadline a person chases the carrier.

    Meanwhile a labelled parcel is held back from the carrier while a request awaits review,
    and a parcel the carrier brings back unasked is put to a person.
    """

    def __init__(self, ctx: OrderContext, steps: ForwardSteps) -> None:
        self._ctx = ctx
        self._steps = steps

    async def until(
        self, scanned: Callable[[], bool], wait: CarrierWait, patience: timedelta, rest: Rest, deadline: datetime | None
    ) -> None:
        """Wait for the carrier's scan; past `patience` (the first time: past `deadline`, when a
        continued run takes the wait up) a person chases the carrier, and each RETRY waits as long
        again. The scan itself closes the question (Order.record_shipment_event)."""
        order = self._ctx.order
        # Orders started before deadlines and holds existed wait as they did (no timer, no hold).
        if not workflow.patched(patches.CARRIER_DEADLINES_AND_PICKUP_HOLD):
            await self._steps.wait(scanned)
            return
        while True:
            deadline, due = None, deadline or workflow.now() + patience
            await self._steps.wait(
                lambda: scanned() or self._hold_due() or order.returned_undelivered, deadline=due, rest=rest
            )
            if self._hold_due():
                await self._keep_pickup_hold()
                continue
            if scanned():
                return
            if order.returned_undelivered:
                await self._parcel_came_back()
                continue
            shipment = order.shipment
            if shipment is not None and shipment.held_for is not None:
                continue  # held by us for a review, which has a deadline of its own
            # None: scanned meanwhile, or a cancellation took the order over.
            await self._steps.ask_person(
                wait.overdue(shipment, patience), wait.value, [ResolutionAction.RETRY], still_open=lambda: not scanned()
            )

    async def _parcel_came_back(self) -> None:
        """A person decides: cancel the order (which restocks and refunds), or send the parcel again."""
        order = self._ctx.order
        assert order.shipment is not None
        resolution = await self._steps.ask_person(
            came_back(order.shipment),
            RETURNED_UNDELIVERED,
            [ResolutionAction.MARK_RESOLVED],
            still_open=lambda: order.returned_undelivered,
        )
        if resolution is not None:
            order.record_resent(resolution.by, workflow.now())

    def _hold_due(self) -> bool:
        return self._ctx.order.pickup_hold_change() is not None

    async def _keep_pickup_hold(self) -> None:
        """Hold the labelled parcel while a request awaits review, and release it once the review is over."""
        order = self._ctx.order
        change = order.pickup_hold_change()
        assert change is not None and order.shipment is not None
        hold, request_id = change
        asked = {
            "order_id": order.order_id,
            "shipment_id": order.shipment.shipment_id,
            "idempotency_key": keys.pickup(order.order_id, hold=hold, request_id=request_id),
        }
        if hold:
            in_time = await self._steps.step(CarrierActivities.hold_pickup, lambda: HoldPickup(**asked))
            order.record_pickup_held(request_id, in_time, workflow.now())
        else:
            await self._steps.step(CarrierActivities.release_pickup, lambda: ReleasePickup(**asked))
            order.record_pickup_released(workflow.now())
        await self._steps.checkpoint()
