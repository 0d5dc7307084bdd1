"""The stores as they must be for an order at rest: what a faithful gateway, inventory, carrier and
mailbox would hold for the order view built by tests.unit.factories, for the audit's tests to start from."""

from domain.audit_facts import CreditFacts, IntentFacts, MailFacts, OrderFacts, ParcelFacts, Units
from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.payment import PaymentState
from tests.unit.factories import POLICY, T0

_INTENT_STATUS = {
    PaymentState.AUTHORIZED: "requires_capture",
    PaymentState.CAPTURED: "succeeded",
    PaymentState.VOIDED: "canceled",
}
# Where each stock state leaves a line's units (a line is cancelled whole or not at all here).
_PLACE = {
    StockState.RESERVED: "reserved",
    StockState.SHIPPED: "shipped",
    StockState.RELEASED: "released",
    StockState.RETURNED: "returned",
    StockState.QUARANTINED: "quarantined",
}


def _parcel_status(view: Order) -> str:
    shipment = view.shipment
    assert shipment is not None
    if shipment.label_voided:
        return "VOIDED"
    if shipment.returned:
        return "RETURNED_TO_SENDER"
    return shipment.last_event.value if shipment.last_event else "LABEL_CREATED"


def stores_of(view: Order) -> OrderFacts:
    """What every store holds for `view`, as they would if they and the order agree."""
    intents = []
    if view.authorization_id is not None:
        intents.append(IntentFacts(
            intent_id=view.authorization_id, status=_INTENT_STATUS[view.payment], currency=view.currency,
            amount_minor=view.authorized_minor, received_minor=view.captured_minor,
            refunded_minor=view.refunded_minor + view.refund_pending_minor - view.store_credit_minor,
        ))
    credits = [CreditFacts(amount_minor=view.store_credit_minor, currency=view.currency)] if view.store_credit_minor else []
    units = {}
    if view.stock in _PLACE:
        units = {line.sku: Units(**{_PLACE[view.stock]: line.quantity}) for line in view.lines}
    parcels = [ParcelFacts(tracking_number=view.shipment.tracking_number, status=_parcel_status(view))] if view.shipment else []
    mail = []
    if any(entry.event == OrderStatus.CONFIRMED.value for entry in view.timeline):
        mail.append(MailFacts(kind="CONFIRMATION", key=f"{view.order_id}:confirmation"))
    for entry in view.timeline:
        if entry.event == "MESSAGE_SENT":
            kind = entry.detail.split(" ")[0]
            mail.append(MailFacts(kind=kind, key=f"{view.order_id}:{kind.lower()}:req-1"))
    return OrderFacts(
        order_id=view.order_id, view=view, listed_status=view.status, running=False, started=T0, policy=POLICY,
        intents=intents, credits=credits, units=units, parcels=parcels, mail=mail,
    )

