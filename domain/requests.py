"""What other systems send to cancel an order, and what they get back."""

import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.errors import OrderError

M = TypeVar("M", bound=BaseModel)


class CancelReason(StrEnum):
    """Why an order is cancelled (Shopify's orderCancel reasons)."""

    CUSTOMER = "CUSTOMER"
    DECLINED = "DECLINED"
    FRAUD = "FRAUD"
    INVENTORY = "INVENTORY"
    STAFF = "STAFF"
    OTHER = "OTHER"


class RequestedBy(StrEnum):
    CUSTOMER = "customer"
    CUSTOMER_SERVICE = "customer_service"
    SYSTEM = "system"


class RefundDestination(StrEnum):
    ORIGINAL = "ORIGINAL"
    STORE_CREDIT = "STORE_CREDIT"


class LineSelection(BaseModel):
    """Some quantity of one line, for a partial cancellation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sku: str = Field(min_length=1, max_length=64)
    quantity: int

    @model_validator(mode="after")
    def _some_units(self) -> "LineSelection":
        if self.quantity <= 0:
            raise ValueError(f"line {self.sku}: quantity must be at least 1, not {self.quantity}")
        return self


def _request_id(value: str) -> str:
    # It becomes part of idempotency keys sent as HTTP headers and of mail Message-IDs: ASCII only.
    if not value.isascii() or not value.isprintable() or " " in value:
        raise ValueError("request_id must be printable ASCII without spaces, e.g. storefront-7f3a")
    return value


RequestId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_request_id)]

# The order's own requests: no other system may use their ids, or the order would take its
# own request for a repeat of theirs (a declined card would no longer cancel it).
TEMPORAL_CANCEL_ID = "temporal-cancel-request"
SURPLUS_ID = "surplus"


def system_request_id(reason: CancelReason) -> str:
    """The id of the system's own cancellation when a third party's answer ends the order."""
    return f"system-{reason.value.lower()}"


SYSTEM_REQUEST_IDS = frozenset(
    {TEMPORAL_CANCEL_ID, SURPLUS_ID, system_request_id(CancelReason.DECLINED), system_request_id(CancelReason.INVENTORY)}
)


class CancellationRequest(BaseModel):
    """A formal request to revoke all or part of an order; `request_id` makes it idempotent.

    `lines` absent means the whole order; otherwise only those quantities are cancelled.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    request_id: RequestId
    reason: CancelReason
    requested_by: RequestedBy = RequestedBy.CUSTOMER
    lines: tuple[LineSelection, ...] | None = Field(default=None, min_length=1)
    refund_to: RefundDestination = RefundDestination.ORIGINAL
    restock: bool = True
    notify_customer: bool = True
    note: str | None = Field(default=None, max_length=2000)


class InvalidMessage(OrderError):
    """A request, review or resolution is malformed; the message names every field that is wrong."""


class Verdict(StrEnum):
    """ACCEPTED and REJECTED are final; the other two are answered at once and settled later."""

    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    PENDING_REVIEW = "PENDING_REVIEW"
    INTERCEPT_REQUESTED = "INTERCEPT_REQUESTED"


OPEN_VERDICTS = frozenset({Verdict.PENDING_REVIEW, Verdict.INTERCEPT_REQUESTED})


class ReasonCode(StrEnum):
    ALREADY_SHIPPED = "ALREADY_SHIPPED"
    ALREADY_DELIVERED = "ALREADY_DELIVERED"
    ALREADY_CANCELLED = "ALREADY_CANCELLED"
    ALREADY_COMPLETED = "ALREADY_COMPLETED"
    CANCELLATION_PENDING = "CANCELLATION_PENDING"
    INVALID_LINES = "INVALID_LINES"
    REVIEW_DENIED = "REVIEW_DENIED"
    INTERCEPT_FAILED = "INTERCEPT_FAILED"
    SUPERSEDED = "SUPERSEDED"


class Suggestion(StrEnum):
    RETURN = "RETURN"


class CancellationOutcome(BaseModel):
    """The answer to a cancellation request; a repeated request_id gets the same one."""

    request_id: str
    outcome: Verdict
    reason_code: ReasonCode | None = None
    suggestion: Suggestion | None = None
    message: str = Field(description="a sentence for the customer")


class CancellationRecord(BaseModel):
    """One request and its answer, as the order view lists them."""

    request_id: str
    reason: CancelReason
    requested_by: RequestedBy
    lines: tuple[LineSelection, ...] | None
    refund_to: RefundDestination
    restock: bool
    notify_customer: bool
    note: str | None
    outcome: Verdict
    reason_code: ReasonCode | None
    suggestion: Suggestion | None
    message: str
    at: datetime
    reviewed_by: str | None = None
    review_note: str | None = None
    escalated: bool = False

    @property
    def open(self) -> bool:
        return self.outcome in OPEN_VERDICTS

    def record_review(self, reviewer: str, note: str | None) -> None:
        """Who decided the review, and why."""
        self.reviewed_by, self.review_note = reviewer, note

    def escalate(self) -> None:
        """The review waited past its deadline: the order needs a person (NeedsAttention)."""
        self.escalated = True

    def settle(self, outcome: CancellationOutcome) -> None:
        """A pending review or intercept reached its end: the record now tells the final answer."""
        self.outcome = outcome.outcome
        self.reason_code = outcome.reason_code
        self.suggestion = outcome.suggestion
        self.message = outcome.message

    @classmethod
    def of(cls, request: CancellationRequest, outcome: CancellationOutcome, at: datetime) -> "CancellationRecord":
        return cls(
            **request.model_dump(),
            outcome=outcome.outcome,
            reason_code=outcome.reason_code,
            suggestion=outcome.suggestion,
            message=outcome.message,
            at=at,
        )

    def answer(self) -> CancellationOutcome:
        return CancellationOutcome(
            request_id=self.request_id,
            outcome=self.outcome,
            reason_code=self.reason_code,
            suggestion=self.suggestion,
            message=self.message,
        )

    def request(self) -> CancellationRequest:
        return CancellationRequest.model_validate(self.model_dump(include=set(CancellationRequest.model_fields)))


class ReviewDecision(StrEnum):
    APPROVE = "APPROVE"
    DENY = "DENY"


class CancellationReview(BaseModel):
    """A person's decision on a request that policy sent to review."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    request_id: str = Field(min_length=1, max_length=128)
    decision: ReviewDecision
    reviewer: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class ResolutionAction(StrEnum):
    RETRY = "RETRY"
    REFUND_TO_STORE_CREDIT = "REFUND_TO_STORE_CREDIT"
    MARK_RESOLVED = "MARK_RESOLVED"


class Resolution(BaseModel):
    """A person's way out of NEEDS_ATTENTION."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: ResolutionAction
    by: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


def parse(model: type[M], raw: Any) -> M:
    """Validate a message from the wire, turning pydantic's errors into one readable sentence."""
    if isinstance(raw, model):
        return raw
    if not isinstance(raw, dict):
        raise InvalidMessage(f"invalid {_name(model)}: expected a JSON object of its fields, not {_json_kind(raw)}")
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        errors = error.errors()
        # A list whose items failed is also reported too short; its items' errors say it all.
        said = [e for e in errors if not (e["type"] == "too_short" and _inside(e["loc"], errors))]
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg'].removeprefix('Value error, ')}" for e in said
        )
        raise InvalidMessage(f"invalid {_name(model)}: {problems}") from None


def _name(model: type[BaseModel]) -> str:
    """How a message is named to whoever sent it: `ShipmentEvent` is a "shipment event"."""
    return _NAMES.get(model) or re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    kinds = {bool: "true or false", str: "a string", list: "a list", int: "a number", float: "a number"}
    return next((told for kind, told in kinds.items() if isinstance(value, kind)), type(value).__name__)


def _inside(loc: tuple[Any, ...], errors: Sequence[Any]) -> bool:
    return any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in errors)


def request_from_wire(raw: Any) -> CancellationRequest:
    """A cancellation request another system sent: well-formed, and not under one of the order's own ids."""
    request = parse(CancellationRequest, raw)
    if request.request_id in SYSTEM_REQUEST_IDS:
        raise InvalidMessage(
            f"invalid cancellation request: request_id: {request.request_id!r} is reserved for the order's own requests"
        )
    return request


_NAMES: dict[type, str] = {
    CancellationRequest: "cancellation request",
    CancellationReview: "review",
    Resolution: "resolution",
}

