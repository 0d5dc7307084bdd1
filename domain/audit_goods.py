"""The audit's rules of goods: the inventory's stock and reservations, and the carrier's parcels."""

from collections import defaultdict
from collections.abc import Iterable

from domain.audit_facts import OrderFacts, Rule, SkuFacts, Units, Violation
from domain.lifecycle import OrderStatus, StockState
from domain.order import Order

# Where the carrier says a cancelled order's parcel may be: never collected, or back with the shop.
PARCEL_BACK = frozenset({"VOIDED", "RETURNED_TO_SENDER"})


def stock_conserved(skus: Iterable[SkuFacts], held: Iterable[tuple[str, Units]]) -> list[Violation]:
    """No bucket below zero, and each sku's reserved, shipped and set-aside units are exactly those
    its orders' reservations hold there: a unit released twice or lost shows as a difference."""
    sums: dict[str, Units] = defaultdict(Units)
    for sku, units in held:
        total = sums[sku]
        total.reserved += units.reserved
        total.shipped += units.shipped
        total.quarantined += units.quarantined
    found = []
    for level in skus:
        buckets = {"on_hand": level.on_hand, "reserved": level.reserved, "shipped": level.shipped,
                   "quarantined": level.quarantined}
        found += [f"{level.sku}: {bucket} is {n}" for bucket, n in buckets.items() if n < 0]
        total = sums.pop(level.sku, Units())
        for bucket in ("reserved", "shipped", "quarantined"):
            if buckets[bucket] != (held_there := getattr(total, bucket)):
                found.append(f"{level.sku}: {bucket} is {buckets[bucket]}, the orders' reservations hold {held_there}")
    found += [f"{sku}: reserved by orders but not in stock" for sku in sorted(sums)]
    return [Violation(order_id=None, rule=Rule.STOCK_CONSERVED, detail=d) for d in found]


def units_conserved(facts: OrderFacts, view: Order) -> list[Violation]:
    """The order reserved each line whole or not at all, and nothing it did not order."""
    found = []
    for sku, units in facts.units.items():
        line = view.line(sku)
        if line is None:
            found.append(f"{sku}: {units.total} unit(s) reserved, the order has no such line")
        elif units.total not in (0, line.quantity):
            found.append(f"{sku}: {units.total} unit(s) reserved for a line of {line.quantity}")
        elif view.status is OrderStatus.COMPLETED and units.shipped != line.open_quantity:
            found.append(f"{sku}: {units.shipped} unit(s) shipped, {line.open_quantity} not cancelled")
    return [Violation(order_id=facts.order_id, rule=Rule.STOCK_CONSERVED, detail=d) for d in found]


def cancelled_holds_nothing(facts: OrderFacts, view: Order) -> list[str]:
    """A cancelled order holds no unit, reserved or with the carrier, and no live label or parcel out."""
    if view.status is not OrderStatus.CANCELLED:
        return []
    found = [f"{sku}: {u.reserved} reserved, {u.shipped} shipped" for sku, u in facts.units.items() if u.reserved or u.shipped]
    found += [f"parcel {p.tracking_number} is {p.status}" for p in facts.parcels if p.status not in PARCEL_BACK]
    return found


def goods_agree(facts: OrderFacts, view: Order) -> list[str]:
    """The order's view of its stock and parcel is what the inventory and the carrier hold."""
    found = []
    reserved_any = any(units.total for units in facts.units.values())
    if (view.stock is not StockState.NONE) != reserved_any:
        found.append(f"view stock {view.stock}, the inventory holds {'a' if reserved_any else 'no'} reservation")
    parcels = {parcel.tracking_number: parcel.status for parcel in facts.parcels}
    shipment = view.shipment
    known = shipment.tracking_number if shipment is not None else None
    # A label whose answer was lost may exist at the carrier unknown to the view, until a person settles it.
    if view.label_unconfirmed_units is None:
        found += [f"the carrier has parcel {tracking} ({status}), the view does not"
                  for tracking, status in sorted(parcels.items()) if tracking != known and status != "VOIDED"]
    if shipment is not None:
        status = parcels.get(shipment.tracking_number)
        if status is None:
            found.append(f"view parcel {shipment.tracking_number}, unknown to the carrier")
        elif shipment.label_voided != (status == "VOIDED"):
            found.append(f"view label voided {shipment.label_voided}, the carrier says {status}")
    return found
