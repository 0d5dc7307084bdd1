"""Payment gateway: authorize, capture, void, refund (Stripe-like semantics)."""

from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel
from temporalio import activity

from activities.failures import BusinessFailure, final_on_business_failure
from domain import keys
from domain.placement import PlaceOrder


class CardDeclined(BusinessFailure):
    """The issuer refused the authorization; `code` is the decline code."""


# The gateway's code for a capture on a hold that lapsed: the order needs a new hold.
HOLD_LAPSED = "charge_expired_for_capture"


class PaymentRefused(BusinessFailure):
    """The gateway refused a capture, void or refund (for example, more than was captured)."""


class AlreadyCaptured(BusinessFailure):
    """A void found the hold captured: a capture whose answer was lost went through. The money
    must be refunded instead; `amount_minor` is what was captured."""

    def __init__(self, message: str, amount_minor: int) -> None:
        super().__init__(message, "already_captured")
        self.amount_minor = amount_minor

    @property
    def details(self) -> tuple[object, ...]:
        return (self.code, self.amount_minor)


class AuthorizePayment(BaseModel):
    order_id: str
    amount_minor: int
    currency: str
    payment_method: str
    idempotency_key: str

    @classmethod
    def for_order(cls, command: PlaceOrder) -> "AuthorizePayment":
        """The one authorization of an order: asked again under its key, the gateway answers the same."""
        return cls(
            order_id=command.order_id,
            amount_minor=command.total_minor,
            currency=command.currency,
            payment_method=command.payment_method,
            idempotency_key=keys.forward(command.order_id, "authorize_payment"),
        )


class Authorization(BaseModel):
    authorization_id: str
    amount_minor: int


class CapturePayment(BaseModel):
    order_id: str
    authorization_id: str
    amount_minor: int
    idempotency_key: str


class VoidAuthorization(BaseModel):
    order_id: str
    authorization_id: str
    idempotency_key: str


class RefundPayment(BaseModel):
    order_id: str
    authorization_id: str
    amount_minor: int
    idempotency_key: str


class RefundStatus(StrEnum):
    """Stripe's refund statuses: a refund is asynchronous and only `succeeded` returns money."""

    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class Refund(BaseModel):
    refund_id: str
    amount_minor: int
    status: RefundStatus
    failure_reason: str | None = None


class FollowRefund(BaseModel):
    order_id: str
    refund_id: str


class IssueStoreCredit(BaseModel):
    order_id: str
    customer_id: str
    amount_minor: int
    currency: str
    idempotency_key: str


class StoreCredit(BaseModel):
    credit_id: str
    amount_minor: int


class RefundPending(Exception):
    """The refund has not settled yet; raised so the activity's retry policy polls again."""


class PaymentGateway(Protocol):
    async def authorize(self, request: AuthorizePayment) -> Authorization: ...

    async def capture(self, request: CapturePayment) -> int:
        """Returns the amount captured, in minor units."""
        ...

    async def void(self, request: VoidAuthorization) -> None:
        """Release the hold; raise AlreadyCaptured when it turns out to have been captured."""
        ...

    async def refund(self, request: RefundPayment) -> Refund:
        """Start a refund; it usually comes back `pending`."""
        ...

    async def refund_status(self, request: FollowRefund) -> Refund: ...

    async def issue_store_credit(self, request: IssueStoreCredit) -> StoreCredit:
        """Credit the customer's store-credit balance instead of their card."""
        ...


class PaymentActivities:
    """The payment activities, over any PaymentGateway."""

    def __init__(self, gateway: PaymentGateway) -> None:
        self._gateway = gateway

    @activity.defn
    @final_on_business_failure
    async def authorize_payment(self, request: AuthorizePayment) -> Authorization:
        """Hold the order total on the customer's card."""
        return await self._gateway.authorize(request)

    @activity.defn
    @final_on_business_failure
    async def capture_payment(self, request: CapturePayment) -> int:
        """Take the held money when fulfillment starts."""
        return await self._gateway.capture(request)

    @activity.defn
    @final_on_business_failure
    async def void_authorization(self, request: VoidAuthorization) -> None:
        """Release an uncaptured hold, free of charge."""
        await self._gateway.void(request)

    @activity.defn
    @final_on_business_failure
    async def refund_payment(self, request: RefundPayment) -> Refund:
        """Start giving captured money back to the original payment method."""
        return await self._gateway.refund(request)

    @activity.defn
    @final_on_business_failure
    async def follow_refund(self, request: FollowRefund) -> Refund:
        """Return the refund once it has settled (succeeded, failed or canceled); poll until then."""
        refund = await self._gateway.refund_status(request)
        if refund.status in (RefundStatus.PENDING, RefundStatus.REQUIRES_ACTION):
            # Retryable on purpose: the activity's retry policy is the polling loop.
            raise RefundPending(f"refund {refund.refund_id} is still {refund.status}")
        return refund

    @activity.defn
    @final_on_business_failure
    async def issue_store_credit(self, request: IssueStoreCredit) -> StoreCredit:
        """Credit the customer's store-credit balance."""
        return await self._gateway.issue_store_credit(request)
