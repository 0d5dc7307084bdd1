"""A purchase request: what the customer bought, where it goes, and how they pay."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from domain.currency import check_currency
from domain.payment_method import check_payment_token
from domain.policy import Policy

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Currency = Annotated[str, AfterValidator(check_currency), Field(description="ISO 4217 code, in capitals")]
Minor = Annotated[int, Field(ge=0, description="integer minor units (cents)")]


def idempotency_key(order_id: str, step: str, request_id: str | None = None) -> str:
    """The key of one side effect: from the order, the step and the request, never from the run id,
    which changes when an operator resets the workflow."""
    return f"{order_id}:{step}" if request_id is None else f"{order_id}:{step}:{request_id}"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLine(Strict):
    sku: Identifier
    quantity: int = Field(gt=0, le=10_000)
    unit_price_minor: Minor

    @property
    def total_minor(self) -> int:
        return self.quantity * self.unit_price_minor


class Address(Strict):
    name: str = Field(min_length=1, max_length=200)
    line1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$")


class PlaceOrder(Strict):
    """A purchase request: the whole input of one order workflow."""

    order_id: Identifier
    customer_id: Identifier
    customer_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    lines: list[OrderLine] = Field(min_length=1, max_length=100)
    shipping_address: Address
    shipping_fee_minor: Minor = 0
    currency: Currency
    payment_method: str = Field(min_length=1, max_length=64, description="the gateway's token for the card (pm_...)")
    policy: Policy = Policy()
    # Names of the systems told of this order's events (runtime.webhook_subscribers), stamped by the
    # placing client from its settings; none: the order emits nothing for events.
    event_subscribers: list[str] = []

    @field_validator("lines")
    @classmethod
    def _one_line_per_sku(cls, lines: list[OrderLine]) -> list[OrderLine]:
        skus = [line.sku for line in lines]
        if len(set(skus)) != len(skus):
            raise ValueError("each sku may appear on one line only")
        return lines

    @property
    def total_minor(self) -> int:
        return sum(line.total_minor for line in self.lines) + self.shipping_fee_minor


class NewOrder(PlaceOrder):
    """A purchase request as it enters the product: paid with a gateway token, never a card number.

    Only new orders are held to it: PlaceOrder, which the workflow decodes, still reads the orders
    placed before tokens, whose histories carry a card number.
    """

    @field_validator("payment_method")
    @classmethod
    def _a_token(cls, payment_method: str) -> str:
        return check_payment_token(payment_method)
