"""Where the units one order reserved of one sku are now: the inventory's record, which the audit reads too."""

from pydantic import BaseModel


class ReservedUnits(BaseModel):
    """Where the units one order reserved of one sku are now; `total` is every unit it ever reserved."""

    reserved: int = 0
    released: int = 0
    shipped: int = 0
    returned: int = 0
    quarantined: int = 0

    @property
    def total(self) -> int:
        return self.reserved + self.released + self.shipped + self.returned + self.quarantined
