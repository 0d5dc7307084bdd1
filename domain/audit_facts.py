"""What each store says about an order, gathered by the audit (starter.audit) so the rules in
domain.audit can judge the order without trusting what its workflow says about itself."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from domain.order import Order
from domain.policy import Policy
from domain.units import ReservedUnits

# A declined attempt is kept at the gateway, as at Stripe, but it never held money.
DECLINED = "requires_payment_method"
# The status of an intent whose authorization still holds money on the card.
HOLDING = "requires_capture"


class Rule(StrEnum):
    """The audit's rules; a violation names the one it breaks."""

    MONEY_WITHIN_BOUNDS = "money_within_bounds"  # refunded + store credit <= captured <= authorized
    CANCELLED_HOLDS_NOTHING = "cancelled_holds_nothing"
    CAPTURED_ITS_TOTAL = "captured_its_total"
    STOCK_CONSERVED = "stock_conserved"
    ONE_MESSAGE_PER_OUTCOME = "one_message_per_outcome"
    WITHIN_POLICY_TIME = "within_policy_time"
    VIEW_AGREES = "view_agrees"


class Violation(BaseModel):
    """One broken rule: the order (None for a sku's stock as a whole), the rule, and what was seen."""

    order_id: str | None
    rule: Rule
    detail: str


class IntentFacts(BaseModel):
    """The gateway's record of one payment intent (amounts in minor units of `currency`)."""

    intent_id: str
    status: str
    currency: str
    amount_minor: int
    received_minor: int
    refunded_minor: int  # live refunds: pending or succeeded (a failed one never moved money)

    @property
    def authorized_minor(self) -> int:
        return 0 if self.status == DECLINED else self.amount_minor


class CreditFacts(BaseModel):
    """One entry of the gateway's store-credit ledger."""

    amount_minor: int
    currency: str


class ParcelFacts(BaseModel):
    """The carrier's record of one shipment."""

    tracking_number: str
    status: str


class MailFacts(BaseModel):
    """One message in the mailbox, with the idempotency key its Message-ID was derived from."""

    kind: str | None
    key: str

    @property
    def request_id(self) -> str | None:
        """The request the message answers (keys are `order:step[:request_id]`, domain.placement)."""
        parts = self.key.split(":", 2)
        return parts[2] if len(parts) == 3 else None


class SkuFacts(BaseModel):
    """The inventory's stock buckets of one sku."""

    sku: str
    on_hand: int
    reserved: int
    shipped: int
    quarantined: int


class OrderFacts(BaseModel):
    """Everything the stores say about one order. `view` is the order's own `status` answer (None
    when it gave none, `unseen` says why); `listed_status` its OrderStatus search attribute;
    `running` whether its workflow is still open; `policy` from its input."""

    order_id: str
    view: Order | None
    unseen: str = ""
    listed_status: str | None = None
    running: bool
    started: datetime
    policy: Policy
    intents: list[IntentFacts] = []
    credits: list[CreditFacts] = []
    units: dict[str, ReservedUnits] = {}
    parcels: list[ParcelFacts] = []
    mail: list[MailFacts] = []

    @property
    def recorded(self) -> bool:
        """Some store holds a record of the order."""
        return bool(self.intents or self.credits or any(u.total for u in self.units.values()) or self.parcels or self.mail)

