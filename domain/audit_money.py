"""The audit's rules of money: what the payment gateway and the store-credit ledger hold for one order."""

from collections import Counter

from domain.audit_facts import HOLDING, OrderFacts, Rule, Violation
from domain.lifecycle import OrderStatus
from domain.order import Order


def _per_currency(facts: OrderFacts) -> dict[str, tuple[int, int, int]]:
    """Authorized, captured and given back (live refunds and store credit), per currency."""
    authorized: Counter[str] = Counter()
    captured: Counter[str] = Counter()
    back: Counter[str] = Counter()
    for intent in facts.intents:
        authorized[intent.currency] += intent.authorized_minor
        captured[intent.currency] += intent.received_minor
        back[intent.currency] += intent.refunded_minor
    for credit in facts.credits:
        back[credit.currency] += credit.amount_minor
    currencies = sorted(set(authorized) | set(captured) | set(back))
    return {c: (authorized[c], captured[c], back[c]) for c in currencies}


def kept_minor(facts: OrderFacts) -> int:
    """Money the shop keeps of this order: captured, less what went back to the card or as credit."""
    return sum(captured - back for _, captured, back in _per_currency(facts).values())


def within_bounds(facts: OrderFacts) -> list[Violation]:
    """Refunded + store credit <= captured <= authorized, per intent and per currency."""
    found = []
    for intent in facts.intents:
        if not intent.refunded_minor <= intent.received_minor <= intent.authorized_minor:
            found.append(
                f"intent {intent.intent_id}: refunded {intent.refunded_minor}, captured {intent.received_minor}, "
                f"authorized {intent.authorized_minor}"
            )
    for currency, (authorized, captured, back) in _per_currency(facts).items():
        if not back <= captured <= authorized:
            found.append(f"{currency}: given back {back}, captured {captured}, authorized {authorized}")
    return [Violation(order_id=facts.order_id, rule=Rule.MONEY_WITHIN_BOUNDS, detail=d) for d in found]


def cancelled_holds_no_money(facts: OrderFacts, view: Order) -> list[str]:
    """A cancelled order holds no hold on the card and keeps nothing it captured."""
    if view.status is not OrderStatus.CANCELLED:
        return []
    found = [f"intent {i.intent_id} still holds {i.amount_minor} on the card" for i in facts.intents if i.status == HOLDING]
    if kept := kept_minor(facts):
        found.append(f"the gateway keeps {kept} of a cancelled order")
    return found


def captured_its_total(facts: OrderFacts, view: Order) -> list[Violation]:
    """A completed order keeps exactly what its open lines (and shipping, if anything shipped) cost."""
    if view.status is not OrderStatus.COMPLETED:
        return []
    kept, owed = kept_minor(facts), view.capturable_minor
    found = [f"the gateway keeps {kept}, the lines not cancelled cost {owed}"] if kept != owed else []
    found += [f"intent {i.intent_id} still holds {i.amount_minor} on the card" for i in facts.intents if i.status == HOLDING]
    return [Violation(order_id=facts.order_id, rule=Rule.CAPTURED_ITS_TOTAL, detail=d) for d in found]


def money_agrees(facts: OrderFacts, view: Order) -> list[str]:
    """The order's view of its money is what the gateway and the credit ledger hold."""
    captured = sum(i.received_minor for i in facts.intents)
    to_card = sum(i.refunded_minor for i in facts.intents)
    credited = sum(c.amount_minor for c in facts.credits)
    to_card_seen = view.refunded_minor + view.refund_pending_minor - view.store_credit_minor
    seen = (view.captured_minor, to_card_seen, view.store_credit_minor)
    if seen == (captured, to_card, credited):
        return []
    return [f"view captured/refunded to card/store credit {seen}, the gateway {(captured, to_card, credited)}"]
