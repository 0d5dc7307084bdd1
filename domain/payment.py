"""The order's money at the payment gateway: the hold, what was taken, and what went back."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, computed_field, model_validator

from domain.errors import InvariantViolation


class PaymentState(StrEnum):
    NONE = "NONE"
    UNCONFIRMED = "UNCONFIRMED"  # an authorization was asked for and its answer lost: a hold may exist
    AUTHORIZED = "AUTHORIZED"
    CAPTURED = "CAPTURED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"  # the hold lapsed before capture (card holds last days, not weeks): nothing is held


class Payment(BaseModel):
    """One order's payment, in minor units of the order's currency.

    It refuses what would break the money invariants: never capture more than the hold, never
    refund more than is still captured, never settle a refund that was not started. Store credit
    is money given back too: it counts in `refunded_minor` as well as in `store_credit_minor`.
    """

    state: PaymentState = PaymentState.NONE
    authorization_id: str | None = None
    authorized_at: datetime | None = None  # when the hold was made; None on orders placed before holds expired
    reauthorizations: int = 0
    authorized_minor: int = 0
    captured_minor: int = 0
    refunded_minor: int = 0
    refund_pending_minor: int = 0
    store_credit_minor: int = 0

    @property
    def outstanding_minor(self) -> int:
        """Money taken from the customer and neither given back nor on its way back."""
        return self.captured_minor - self.refunded_minor - self.refund_pending_minor

    @property
    def holds_authorization(self) -> bool:
        """A hold may be on the card: authorized, or asked for with the answer lost."""
        return self.state in (PaymentState.AUTHORIZED, PaymentState.UNCONFIRMED)

    @property
    def settled(self) -> bool:
        """Nothing held on the card, nothing taken that is not given back, nothing on its way."""
        return self.outstanding_minor == 0 and self.refund_pending_minor == 0 and not self.holds_authorization

    def hold(self, authorization_id: str, amount_minor: int, at: datetime | None = None) -> None:
        self.authorization_id = authorization_id
        self.authorized_minor = amount_minor
        self.authorized_at = at
        self.state = PaymentState.AUTHORIZED

    def hold_expires_at(self, valid_for: timedelta) -> datetime | None:
        """When an uncaptured hold lapses; None when nothing is held or its time is unknown."""
        if self.state is not PaymentState.AUTHORIZED or self.authorized_at is None:
            return None
        return self.authorized_at + valid_for

    def expire(self) -> None:
        """The hold lapsed uncaptured; a new one is asked for (reauthorizations counts them)."""
        if self.state is not PaymentState.AUTHORIZED or self.captured_minor:
            raise InvariantViolation(f"only an uncaptured hold expires, not one that is {self.state}")
        self.state = PaymentState.EXPIRED
        self.reauthorizations += 1

    def learned(self, state: PaymentState) -> None:
        """What is known of the payment changed without money moving (an answer lost, or no hold after all)."""
        self.state = state

    def void(self) -> None:
        self.state = PaymentState.VOIDED

    def capture(self, amount_minor: int) -> None:
        if amount_minor > self.authorized_minor - self.captured_minor:
            raise InvariantViolation(f"capture of {amount_minor} exceeds the authorization of {self.authorized_minor}")
        self.captured_minor += amount_minor
        self.state = PaymentState.CAPTURED

    def capture_found(self, amount_minor: int) -> bool:
        """A void found the hold captured (a capture whose answer was lost); False when an earlier
        try of the same void already found it."""
        if self.state is PaymentState.CAPTURED:
            return False
        if amount_minor > self.authorized_minor:
            raise InvariantViolation(f"capture of {amount_minor} exceeds the authorization of {self.authorized_minor}")
        self.captured_minor += amount_minor
        self.state = PaymentState.CAPTURED
        return True

    def refund_started(self, amount_minor: int) -> None:
        if amount_minor <= 0 or amount_minor > self.outstanding_minor:
            raise InvariantViolation(f"refund of {amount_minor} is not within the {self.outstanding_minor} still captured")
        self.refund_pending_minor += amount_minor

    def refund_settled(self, amount_minor: int, succeeded: bool) -> None:
        if amount_minor > self.refund_pending_minor:
            raise InvariantViolation(f"refund of {amount_minor} was never started")
        self.refund_pending_minor -= amount_minor
        if succeeded:
            self.refunded_minor += amount_minor

    def store_credit(self, amount_minor: int) -> None:
        """Money given back as store credit, at once."""
        self.refund_started(amount_minor)
        self.refund_settled(amount_minor, True)
        self.store_credit_minor += amount_minor


class Ledger(BaseModel):
    """What had gone back to the customer at one moment, to tell later where the money since went."""

    refunded_minor: int
    credited_minor: int

    @classmethod
    def of(cls, payment: Payment) -> "Ledger":
        return cls(refunded_minor=payment.refunded_minor, credited_minor=payment.store_credit_minor)

    def gone_back(self, payment: Payment) -> tuple[int, int]:
        """What went back since: to the card, and as store credit."""
        credited = payment.store_credit_minor - self.credited_minor
        return payment.refunded_minor - self.refunded_minor - credited, credited


# The order view's flat payment fields, and the Payment fields they show.
_FLAT_PAYMENT = {
    "payment": "state",
    "authorization_id": "authorization_id",
    "authorized_minor": "authorized_minor",
    "authorized_at": "authorized_at",
    "reauthorizations": "reauthorizations",
    "captured_minor": "captured_minor",
    "refunded_minor": "refunded_minor",
    "refund_pending_minor": "refund_pending_minor",
    "store_credit_minor": "store_credit_minor",
}


class PaymentView(BaseModel):
    """Holds an order's Payment part and shows it flat, as the order view's contract has it
    (`payment`, `authorization_id`, `captured_minor`, ...)."""

    money: Payment = Field(default_factory=Payment, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _payment_from_view(cls, data: Any) -> Any:
        """Read back from the order view, the flat payment fields make the payment part again."""
        if isinstance(data, dict) and "money" not in data and _FLAT_PAYMENT.keys() & data.keys():
            data = dict(data)
            data["money"] = Payment(**{part: data.pop(view) for view, part in _FLAT_PAYMENT.items() if view in data})
        return data

    # The order view's payment fields, as the README's contract names them.

    @computed_field  # type: ignore[prop-decorator]
    @property
    def payment(self) -> PaymentState:
        return self.money.state

    @computed_field  # type: ignore[prop-decorator]
    @property
    def authorization_id(self) -> str | None:
        return self.money.authorization_id

    @computed_field  # type: ignore[prop-decorator]
    @property
    def authorized_minor(self) -> int:
        return self.money.authorized_minor

    @computed_field  # type: ignore[prop-decorator]
    @property
    def authorized_at(self) -> datetime | None:
        return self.money.authorized_at

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reauthorizations(self) -> int:
        return self.money.reauthorizations

    @computed_field  # type: ignore[prop-decorator]
    @property
    def captured_minor(self) -> int:
        return self.money.captured_minor

    @computed_field  # type: ignore[prop-decorator]
    @property
    def refunded_minor(self) -> int:
        return self.money.refunded_minor

    @computed_field  # type: ignore[prop-decorator]
    @property
    def refund_pending_minor(self) -> int:
        return self.money.refund_pending_minor

    @computed_field  # type: ignore[prop-decorator]
    @property
    def store_credit_minor(self) -> int:
        return self.money.store_credit_minor
