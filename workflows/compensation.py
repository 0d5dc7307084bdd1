"""Carrying out one compensation step of a decision, under its own idempotency key."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, assert_never

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.carrier import CarrierActivities, CreateShipment, RequestIntercept, ShipmentRequest, VoidLabel
    from activities.inventory import InventoryActivities, ReleaseStock, RestockReturned, StockLine
    from domain import keys
    from domain.cancellation import Compensation, Step
    from domain.lifecycle import StockState
    from domain.requests import CancellationRequest, RefundDestination, Resolution, ResolutionAction
    from domain.shipment import Shipment
    from workflows import options, patches
    from workflows.context import OrderContext
    from workflows.money_back import MoneyBack
    from workflows.step_failures import StepFailed, describe, refused_with

Asked = TypeVar("Asked", bound=ShipmentRequest)

VOID_LABEL = Compensation(step=Step.VOID_LABEL)
# The carrier's refusal of an intercept for a parcel it has not scanned: "void the label instead".
NOTHING_TO_INTERCEPT = "nothing_to_intercept"


class Compensator:
    """Runs compensation steps for the workflow, recording each result on the order.

    It only sequences activities and records facts; which steps to run was decided by
    domain.cancellation. Every Step is dispatched by an exhaustive `match` twice: to run it,
    and to record it as done by a person outside the system; a Step without a branch fails the
    type check (assert_never). A failed step raises StepFailed; the workflow then asks a person.
    """

    def __init__(self, ctx: OrderContext) -> None:
        self._ctx = ctx
        self._order = ctx.order
        self._money = MoneyBack(ctx)

    def _key(self, step: Compensation, request: CancellationRequest, attempt: int) -> str:
        return keys.compensation(self._order.order_id, step.step, request.request_id, attempt)

    def refund_on_its_way(self, step: Compensation, request: CancellationRequest, attempt: int) -> bool:
        """The step's refund was started and has not settled: it is followed to its end, never dropped."""
        return step.step is Step.REFUND_PAYMENT and self._money.started(self._key(step, request, attempt))

    async def run(self, step: Compensation, request: CancellationRequest, attempt: int, *, follow: bool = True) -> None:
        """Carry out the step; a refund is only started, not followed, when `follow` is off."""
        try:
            try:
                await self._run(step, self._key(step, request, attempt), follow)
            except ActivityError as error:
                if not self._never_left(step, error):
                    raise
                # The warehouse said PICKED_UP, but the carrier has no scan: the parcel never left.
                # As the carrier says, its label is voided instead, and the parcel counts as back.
                await self._ask_carrier(CarrierActivities.void_label, VoidLabel, self._key(VOID_LABEL, request, attempt))
                self._order.record_label_void_instead_of_intercept(workflow.now())
        except ActivityError as error:
            problem, refused = describe(error)
            # Refused or lost, a refund's answer never says the card refused the money.
            raise StepFailed(
                f"{step.step.value} failed: {problem}", step.ways_out(card_refused=False), refused=refused
            ) from None

    async def _run(self, step: Compensation, key: str, follow: bool) -> None:
        order, now = self._order, workflow.now
        match step.step:
            case Step.VOID_LABEL:
                if order.shipment is None:
                    await self._find_label()
                await self._ask_carrier(CarrierActivities.void_label, VoidLabel, key)
                order.record_label_void(now())
            case Step.REQUEST_INTERCEPT:
                await self._ask_carrier(CarrierActivities.request_intercept, RequestIntercept, key)
                order.record_intercept_requested(now())
            case Step.VOID_AUTHORIZATION:
                await self._money.void(step, key)
            case Step.RELEASE_STOCK:
                lines = None if step.lines is None else [StockLine(sku=s, quantity=q) for s, q in step.lines]
                release = ReleaseStock(order_id=order.order_id, restock=step.restock, idempotency_key=key, lines=lines)
                await self._ctx.call(InventoryActivities.release_stock, release, options.INVENTORY)
                self._record_stock_back(step)
            case Step.RESTOCK_RETURNED:
                restock = RestockReturned(order_id=order.order_id, restock=step.restock, idempotency_key=key)
                await self._ctx.call(InventoryActivities.restock, restock, options.INVENTORY)
                self._record_stock_back(step)
            case Step.REFUND_PAYMENT:
                if step.amount_minor == 0:
                    order.note(now(), "NOTHING_TO_REFUND", "earlier refunds gave everything back")
                elif step.refund_to is RefundDestination.STORE_CREDIT:
                    await self._money.credit(step.amount_minor, key)
                else:
                    await self._money.refund(step, key, follow=follow)
            case unknown:
                assert_never(unknown)

    def _never_left(self, step: Compensation, error: ActivityError) -> bool:
        """An intercept the carrier refused because it never scanned the parcel (orders whose
        intercept was refused so before this release wait for a person, as they did)."""
        return (
            step.step is Step.REQUEST_INTERCEPT
            and refused_with(error, NOTHING_TO_INTERCEPT)
            and workflow.patched(patches.VOID_LABEL_OF_UNSCANNED_PARCEL)
        )

    def _record_stock_back(self, step: Compensation, detail: str = "") -> None:
        """Units a step gave back: some lines' (the rest stays reserved), or all the order's."""
        order, now = self._order, workflow.now()
        if step.lines is not None:
            moved = ", ".join(f"{q} x {s}" for s, q in step.lines)
            order.note(now, "STOCK_PARTLY_RELEASED", f"{moved} {detail}".strip())
        elif not step.restock:
            order.record_stock(StockState.QUARANTINED, now, detail)
        else:
            order.record_stock(StockState.RELEASED if step.step is Step.RELEASE_STOCK else StockState.RETURNED, now, detail)

    async def _find_label(self) -> None:
        """The label's answer was lost: asked for again under its key, the carrier tells which label it is."""
        order = self._order
        assert order.label_unconfirmed_units is not None
        request = CreateShipment.for_order(self._ctx.command, order.label_unconfirmed_units)
        label = await self._ctx.call(CarrierActivities.create_shipment, request)
        order.record_label(Shipment(shipment_id=label.shipment_id, tracking_number=label.tracking_number), workflow.now())

    async def _ask_carrier(
        self, activity: Callable[[Any, Asked], Awaitable[None]], request: type[Asked], key: str
    ) -> None:
        """Void the order's label or recall its parcel: both name the shipment the label bought."""
        shipment = self._order.shipment
        assert shipment is not None
        await self._ctx.call(
            activity, request(order_id=self._order.order_id, shipment_id=shipment.shipment_id, idempotency_key=key)
        )

    async def resolve(self, step: Compensation, request: CancellationRequest, resolution: Resolution, attempt: int) -> bool:
        """Carry out a person's resolution of a failed step; False means: run the step again."""
        if resolution.action is ResolutionAction.RETRY:
            return False
        if resolution.action is ResolutionAction.REFUND_TO_STORE_CREDIT:
            try:
                await self._money.credit(step.amount_minor, keys.store_credit(self._order.order_id, request.request_id, attempt))
            except ActivityError as error:
                problem, refused = describe(error)
                # Refused: the card again, store credit again, or done outside. Lost: the credit may
                # have been given, so only asking for it again under the same key is safe.
                actions = step.ways_out(card_refused=True, credit_unknown=not refused)
                raise StepFailed(f"store credit failed: {problem}", actions, refused=refused) from None
            return True
        self._record_done_outside(step, resolution, self._key(step, request, attempt))
        return True

    def _record_done_outside(self, step: Compensation, resolution: Resolution, key: str) -> None:
        """A person did the step outside the system (or decided it needs no doing): record it as done."""
        order, at, who = self._order, workflow.now(), f"by {resolution.by} outside the system"
        match step.step:
            case Step.REFUND_PAYMENT:
                self._money.settled_outside(step, key, f"{order.told(step.amount_minor)} settled {who}")
            case Step.VOID_LABEL if order.shipment is None:
                order.record_label_settled_outside(at, f"label whose answer was lost settled {who}")
            case Step.VOID_LABEL:
                order.record_label_void(at)
            case Step.VOID_AUTHORIZATION:
                order.record_void(at)
            case Step.RELEASE_STOCK | Step.RESTOCK_RETURNED:
                self._record_stock_back(step, f"settled {who}")
            case Step.REQUEST_INTERCEPT:
                order.note(at, "INTERCEPT_ABANDONED", who)
            case unknown:
                assert_never(unknown)
