"""The reconciliation rules: given what every store says about each order, the violations.

Pure: starter.audit gathers the facts (domain.audit_facts) and reads the clock. Rules that compare
an order's own view with the stores, or expect its end state in them, apply once the order is at
rest (COMPLETED or CANCELLED); the rest hold at every moment of an order's life.
"""

from collections.abc import Iterable
from datetime import datetime

from domain import audit_goods, audit_mail, audit_money
from domain.audit_facts import OrderFacts, Rule, SkuFacts, Violation
from domain.lifecycle import TERMINAL, OrderStatus
from domain.order import Order
from domain.units import ReservedUnits


def audit(orders: Iterable[OrderFacts], skus: Iterable[SkuFacts], held: Iterable[tuple[str, ReservedUnits]],
          now: datetime) -> list[Violation]:
    """Every violation of every order, then of each sku's stock (`held`: every reservation row's sku and units)."""
    found = [violation for facts in orders for violation in audit_order(facts, now)]
    return found + audit_goods.stock_conserved(skus, held)


def audit_order(facts: OrderFacts, now: datetime) -> list[Violation]:
    """The violations of one order."""
    found = audit_money.within_bounds(facts) + audit_mail.no_duplicates(facts)
    view = facts.view
    if view is None:
        # A workflow closed before it did anything (terminated by an operator) leaves nothing to reconcile.
        if facts.running or facts.recorded:
            found.append(Violation(order_id=facts.order_id, rule=Rule.VIEW_AGREES, detail=f"no order view: {facts.unseen}"))
        return found
    found += in_time(facts, view, now)
    if view.status not in TERMINAL:
        return found
    held = audit_money.cancelled_holds_no_money(facts, view) + audit_goods.cancelled_holds_nothing(facts, view)
    found += [Violation(order_id=facts.order_id, rule=Rule.CANCELLED_HOLDS_NOTHING, detail=d) for d in held]
    found += audit_money.captured_its_total(facts, view)
    found += audit_goods.units_conserved(facts, view)
    found += audit_mail.outcomes_told(facts, view)
    disagreements = audit_money.money_agrees(facts, view) + audit_goods.goods_agree(facts, view)
    disagreements += audit_mail.mail_agrees(facts, view)
    if facts.listed_status != view.status:
        disagreements.append(f"view status {view.status}, visibility lists {facts.listed_status}")
    return found + [Violation(order_id=facts.order_id, rule=Rule.VIEW_AGREES, detail=d) for d in disagreements]


def unknown_orders(known: set[str], recorded: set[str]) -> list[Violation]:
    """Records a store holds of orders that no workflow carries: nothing would ever give them back."""
    detail = "the stores hold records of an order no workflow carries"
    return [Violation(order_id=order_id, rule=Rule.VIEW_AGREES, detail=detail) for order_id in sorted(recorded - known)]


def in_time(facts: OrderFacts, view: Order, now: datetime) -> list[Violation]:
    """An order still on its way ends (or asks a person) within its policy's longest unattended
    life; a workflow that closed did so at an end."""
    if view.status in TERMINAL or view.status is OrderStatus.NEEDS_ATTENTION:
        return []
    if not facts.running:
        detail = f"its workflow closed while the order is {view.status}"
    elif now - facts.started > facts.policy.longest_unattended_life:
        detail = f"{view.status} since placement at {facts.started.isoformat()}, past its policy's " \
                 f"{facts.policy.longest_unattended_life}"
    else:
        return []
    return [Violation(order_id=facts.order_id, rule=Rule.WITHIN_POLICY_TIME, detail=detail)]
