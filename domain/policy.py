"""The shop's rules of time and review, carried in each order's input so an order in flight keeps them."""

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class OnReviewTimeout(StrEnum):
    WAIT = "WAIT"
    APPROVE = "APPROVE"


class Policy(BaseModel):
    """Windows, deadlines and review rules that govern one order.

    It travels inside the workflow input: changing the shop's defaults never changes
    the rules of an order already placed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    free_cancellation_window: timedelta = Field(
        default=timedelta(minutes=30),
        ge=timedelta(0),
        description="After confirmation, how long the customer may cancel alone; capture waits for it.",
    )
    review_customer_requests_after_window: bool = Field(
        default=True,
        description="A customer's request after the window (and before pickup) goes to customer-service review.",
    )
    review_above_minor: int | None = Field(
        default=None,
        ge=0,
        description="A customer's request worth more than this (minor units) goes to review, even inside the window.",
    )
    review_deadline: timedelta = Field(
        default=timedelta(hours=24),
        ge=timedelta(0),
        description="How long a review may stay open before it is escalated.",
    )
    on_review_timeout: OnReviewTimeout = Field(
        default=OnReviewTimeout.WAIT, description="After escalation: keep waiting for a person, or approve."
    )
    intercept_deadline: timedelta = Field(
        default=timedelta(days=5),
        ge=timedelta(0),
        description="How long to wait for the carrier's answer to an intercept before a person must look.",
    )
    pickup_deadline: timedelta = Field(
        default=timedelta(days=3),
        gt=timedelta(0),
        description="After the label is bought, how long the parcel may wait for the carrier before a person must look.",
    )
    delivery_deadline: timedelta = Field(
        default=timedelta(days=21),
        gt=timedelta(0),
        description="After pickup, how long the parcel may take to arrive before a person must look.",
    )
    # Zero budgets would read as "no limit" to Temporal's schedule-to-close timeouts.
    retry_budget: timedelta = Field(
        default=timedelta(minutes=10),
        gt=timedelta(0),
        description="How long a third party may keep failing transiently before a person must look.",
    )
    refund_deadline: timedelta = Field(
        default=timedelta(days=10),
        gt=timedelta(0),
        description="How long a refund may stay pending before a person must look.",
    )
    return_period: timedelta = Field(
        default=timedelta(days=14),
        ge=timedelta(0),
        description="After delivery, how long the order stays DELIVERED before it is COMPLETED.",
    )
    authorization_valid_for: timedelta = Field(
        default=timedelta(days=7),
        gt=timedelta(0),
        description="How long a card hold lasts uncaptured at the gateway (7 days at Stripe-like gateways).",
    )
    reauthorize_before_expiry: timedelta = Field(
        default=timedelta(hours=1),
        ge=timedelta(0),
        description="A capture due this close to the hold's expiry asks for a new hold first, never racing the gateway's clock.",
    )
    answer_period: timedelta = Field(
        default=timedelta(days=1),
        ge=timedelta(0),
        description="After an order ends, how long it stays open to answer late or repeated requests.",
    )
    customer_service_email: str = Field(default="support@shop.example", pattern=r"^[^@\s]+@[^@\s]+$")
    # Not a rule of the shop but of the order's record: Temporal ends a run at 50,000 events (and
    # takes at most 2,000 updates per run), so an order flooded with requests starts a new run.
    events_per_run: int = Field(
        default=2_000,
        ge=100,
        le=40_000,
        description="A run whose history reaches this many events continues as a new run, when the order is quiet.",
    )

    @property
    def longest_unattended_life(self) -> timedelta:
        """Placement to the end of the answer period when every wait runs to its deadline once and
        no person is waited for: the window, a review, capture and label retries, pickup, delivery,
        an intercept, the return period, a last refund followed to its deadline, the answer period."""
        return (
            self.free_cancellation_window
            + self.review_deadline
            + 2 * self.retry_budget
            + self.pickup_deadline
            + self.delivery_deadline
            + self.intercept_deadline
            + self.return_period
            + self.refund_deadline
            + self.answer_period
        )
