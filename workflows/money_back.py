"""Giving money back: releasing a hold, refunding a capture and following the refund, or store credit."""

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.payment import (
        AuthorizePayment,
        FollowRefund,
        IssueStoreCredit,
        PaymentActivities,
        RefundPayment,
        RefundStatus,
        VoidAuthorization,
    )
    from domain.cancellation import Compensation
    from domain.payment import PaymentState
    from workflows import options
    from workflows.context import OrderContext
    from workflows.step_failures import StepChanged, StepFailed, describe


class MoneyBack:
    """The payment side of the compensations, recording on the order what the gateway answered."""

    def __init__(self, ctx: OrderContext) -> None:
        self._ctx = ctx
        self._order = ctx.order
        # Refunds started and not yet settled, by idempotency key: a retry follows the same refund.
        self._refunds_started: dict[str, str] = {}

    async def void(self, step: Compensation, key: str) -> None:
        order = self._order
        if order.authorization_id is None and not await self._find_hold():
            return
        assert order.authorization_id is not None
        try:
            await self._ctx.call(
                PaymentActivities.void_authorization,
                VoidAuthorization(order_id=order.order_id, authorization_id=order.authorization_id, idempotency_key=key),
            )
        except ActivityError as error:
            cause = error.cause
            if not (isinstance(cause, ApplicationError) and cause.type == "AlreadyCaptured"):
                raise
            # A capture whose answer was lost went through: there is no hold left, only money to give back.
            order.record_capture_found(int(cause.details[1]), workflow.now())
            raise StepChanged(step.refund_instead(order)) from None
        order.record_void(workflow.now())

    async def _find_hold(self) -> bool:
        """The authorization's answer was lost: asked again under its key, the gateway tells what it holds."""
        order = self._order
        try:
            held = await self._ctx.call(PaymentActivities.authorize_payment, AuthorizePayment.for_order(self._ctx.command))
        except ActivityError as error:
            if not (isinstance(error.cause, ApplicationError) and error.cause.type == "CardDeclined"):
                raise
            order.record_payment(PaymentState.NONE, workflow.now(), "the card was declined: nothing is held")
            return False
        order.record_hold_found(held.authorization_id, held.amount_minor, workflow.now())
        return True

    async def credit(self, amount_minor: int, key: str) -> None:
        credit = await self._ctx.call(
            PaymentActivities.issue_store_credit,
            IssueStoreCredit(
                order_id=self._order.order_id,
                customer_id=self._order.customer_id,
                amount_minor=amount_minor,
                currency=self._order.currency,
                idempotency_key=key,
            ),
        )
        self._order.record_store_credit(credit.amount_minor, workflow.now(), f"store credit {credit.credit_id}")

    def started(self, key: str) -> bool:
        """A refund under this key is on its way and not yet settled."""
        return key in self._refunds_started

    async def refund(self, step: Compensation, key: str, *, follow: bool = True) -> None:
        """Start the refund (once per key), then follow it until it settles, unless `follow` is off."""
        order, amount_minor = self._order, step.amount_minor
        refund_id = self._refunds_started.get(key)
        if refund_id is None:
            # Started once per key: a retry after the retry budget follows the same refund.
            assert order.authorization_id is not None
            refund = await self._ctx.call(
                PaymentActivities.refund_payment,
                RefundPayment(
                    order_id=order.order_id,
                    authorization_id=order.authorization_id,
                    amount_minor=amount_minor,
                    idempotency_key=key,
                ),
            )
            refund_id = self._refunds_started[key] = refund.refund_id
            order.record_refund_started(amount_minor, workflow.now(), f"refund {refund_id}")
        if not follow:
            return
        try:
            settled = await self._ctx.call(
                PaymentActivities.follow_refund, FollowRefund(order_id=order.order_id, refund_id=refund_id), options.FOLLOW
            )
        except ActivityError as error:
            # Still pending past the refund deadline, or not to be looked up: the refund exists and
            # may yet reach the card, so a retry follows it again under the same key.
            raise StepFailed(
                f"refund {refund_id} of {order.told(amount_minor)} has not settled: {describe(error)[0]}",
                step.ways_out(card_refused=False),
                refused=False,
            ) from None
        del self._refunds_started[key]
        succeeded = settled.status is RefundStatus.SUCCEEDED
        detail = f"refund {refund_id} {settled.status}" + (f": {settled.failure_reason}" if settled.failure_reason else "")
        order.record_refund_settled(amount_minor, succeeded, workflow.now(), detail)
        if not succeeded:
            raise StepFailed(
                f"refund {refund_id} of {order.told(amount_minor)} {settled.status}: {settled.failure_reason}",
                step.ways_out(card_refused=True),
                refused=True,
            )

    def settled_outside(self, step: Compensation, key: str, detail: str) -> None:
        """A person gave the money back outside the system: a refund left pending is that refund."""
        if self._refunds_started.pop(key, None) is not None:
            self._order.record_refund_settled(step.amount_minor, True, workflow.now(), detail)
        else:
            self._order.record_refund(step.amount_minor, workflow.now(), detail)
