"""A line of an order, and how much of it has been cancelled."""

from enum import StrEnum

from pydantic import ConfigDict, computed_field

from domain.placement import OrderLine


class LineStatus(StrEnum):
    OPEN = "OPEN"
    PARTIALLY_CANCELLED = "PARTIALLY_CANCELLED"
    CANCELLED = "CANCELLED"


class LineState(OrderLine):
    """A line of the order and how much of it has been cancelled."""

    # Its computed fields come back when a client reads the view: ignore them on the way in.
    model_config = ConfigDict(extra="ignore")

    cancelled_quantity: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def open_quantity(self) -> int:
        return self.quantity - self.cancelled_quantity

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> LineStatus:
        if self.cancelled_quantity == 0:
            return LineStatus.OPEN
        return LineStatus.CANCELLED if self.open_quantity == 0 else LineStatus.PARTIALLY_CANCELLED
