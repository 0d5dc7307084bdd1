"""The audit's rules (domain.audit): quiet on stores that agree with an order at rest, and each
store's corruption named, with the order, by the rule it breaks."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.audit import audit, audit_order, unknown_orders
from domain.audit_facts import CreditFacts, IntentFacts, MailFacts, OrderFacts, ParcelFacts, Rule, SkuFacts
from domain.lifecycle import OrderStatus
from domain.order import Order
from domain.requests import RefundDestination, RequestedBy
from domain.units import ReservedUnits
from tests.unit.audit_world import stores_of
from tests.unit.factories import (
    AFTER_WINDOW,
    IN_WINDOW,
    POLICY,
    STAGES,
    T0,
    Stage,
    answer,
    at,
    cancel_request,
    carry_out,
    order_at,
    place_order,
)

NOW = T0 + timedelta(days=1)
# Cancelled at each stage before the carrier has the parcel, or carried to the end.
ENDINGS = [*STAGES[: STAGES.index(Stage.PICKED_UP)], Stage.COMPLETED]


def at_rest(ending: Stage, *, lines: int = 2, price: int = 1000, quantity: int = 1, fee: int = 499,
            refund_to: RefundDestination = RefundDestination.ORIGINAL) -> Order:
    """An order completed, or cancelled whole (by customer service, so no review) after reaching `ending`."""
    command = place_order(lines, unit_price_minor=price, quantity=quantity, shipping_fee_minor=fee)
    order = order_at(ending, command)
    if ending is Stage.COMPLETED:
        return order
    when = AFTER_WINDOW if ending in (Stage.CAPTURED, Stage.LABEL_BOUGHT) else IN_WINDOW
    request = cancel_request(requested_by=RequestedBy.CUSTOMER_SERVICE, refund_to=refund_to)
    carry_out(order, answer(order, request, when), when)
    order.note(when, "MESSAGE_SENT", f"CANCELLATION to {order.customer_email}")
    return order


orders_at_rest = st.builds(
    at_rest,
    st.sampled_from(ENDINGS),
    lines=st.integers(1, 3),
    price=st.integers(0, 50_000),
    quantity=st.integers(1, 5),
    fee=st.integers(0, 999),
    refund_to=st.sampled_from(RefundDestination),
)


def rules(facts: OrderFacts) -> set[Rule]:
    found = audit_order(facts, NOW)
    assert all(violation.order_id == facts.order_id for violation in found)
    return {violation.rule for violation in found}


@given(orders_at_rest)
def test_stores_that_agree_with_an_order_at_rest_break_no_rule(order: Order) -> None:
    facts = stores_of(order)

    assert audit([facts], [], [], NOW) == []


@given(orders_at_rest, st.integers(1, 10_000))
def test_money_captured_beyond_the_order_is_named(order: Order, extra: int) -> None:
    facts = stores_of(order)
    facts.intents.append(IntentFacts(intent_id="pi_extra", status="succeeded", currency=order.currency,
                                     amount_minor=extra, received_minor=extra, refunded_minor=0))

    kept_rule = Rule.CAPTURED_ITS_TOTAL if order.status is OrderStatus.COMPLETED else Rule.CANCELLED_HOLDS_NOTHING
    assert {kept_rule, Rule.VIEW_AGREES} <= rules(facts)


@given(orders_at_rest)
def test_a_message_filed_twice_under_two_keys_is_a_duplicate(order: Order) -> None:
    facts = stores_of(order)
    first = facts.mail[0]
    facts.mail.append(MailFacts(kind=first.kind, key=first.key + "-again"))

    assert Rule.ONE_MESSAGE_PER_OUTCOME in rules(facts)


@given(orders_at_rest, st.data())
def test_a_message_owed_and_missing_is_named(order: Order, data: st.DataObject) -> None:
    facts = stores_of(order)
    facts.mail.pop(data.draw(st.integers(0, len(facts.mail) - 1)))

    assert {Rule.ONE_MESSAGE_PER_OUTCOME, Rule.VIEW_AGREES} <= rules(facts)


@given(orders_at_rest.filter(lambda order: order.status is OrderStatus.CANCELLED))
def test_a_cancelled_order_holding_a_unit_or_a_live_label_is_named(order: Order) -> None:
    held, labelled = stores_of(order), stores_of(order)
    held.units[order.lines[0].sku] = ReservedUnits(reserved=order.lines[0].quantity)
    labelled.parcels.append(ParcelFacts(tracking_number="SBX1", status="LABEL_CREATED"))

    assert Rule.CANCELLED_HOLDS_NOTHING in rules(held) & rules(labelled)


def test_a_refund_beyond_the_capture_breaks_the_money_bounds() -> None:
    facts = stores_of(at_rest(Stage.CAPTURED))
    facts.intents[0].refunded_minor += 1

    assert Rule.MONEY_WITHIN_BOUNDS in rules(facts)


def test_store_credit_counts_against_the_capture_in_its_currency() -> None:
    facts = stores_of(at_rest(Stage.CAPTURED, refund_to=RefundDestination.STORE_CREDIT))
    facts.credits.append(CreditFacts(amount_minor=1, currency=facts.credits[0].currency))

    assert Rule.MONEY_WITHIN_BOUNDS in rules(facts)


def test_a_completed_order_that_kept_less_than_its_lines_cost_is_named() -> None:
    facts = stores_of(at_rest(Stage.COMPLETED))
    facts.intents[0].refunded_minor = 1

    assert Rule.CAPTURED_ITS_TOTAL in rules(facts)


def test_an_order_on_its_way_past_its_policys_longest_life_is_overdue() -> None:
    facts = stores_of(order_at(Stage.CONFIRMED))
    facts.running = True

    on_time = rules(facts)
    facts.started = NOW - POLICY.longest_unattended_life - timedelta(seconds=1)

    assert Rule.WITHIN_POLICY_TIME not in on_time
    assert Rule.WITHIN_POLICY_TIME in rules(facts)


def test_an_order_waiting_for_a_person_is_not_overdue() -> None:
    order = order_at(Stage.CAPTURED)
    order.record_attention("refund failed", "refund_payment", [], at(40))
    facts = stores_of(order)
    facts.running, facts.started = True, NOW - 2 * POLICY.longest_unattended_life

    assert Rule.WITHIN_POLICY_TIME not in rules(facts)


def test_a_workflow_that_closed_before_its_order_ended_is_named() -> None:
    facts = stores_of(order_at(Stage.CONFIRMED))

    assert Rule.WITHIN_POLICY_TIME in rules(facts)


def test_an_order_without_a_view_is_named_when_a_store_holds_records_of_it() -> None:
    facts = stores_of(order_at(Stage.CONFIRMED))
    facts.view, facts.unseen = None, "no worker answered"

    assert Rule.VIEW_AGREES in rules(facts)


def test_a_workflow_closed_before_it_did_anything_leaves_nothing_to_reconcile() -> None:
    facts = stores_of(order_at(Stage.PLACED))
    facts.view, facts.unseen = None, "Workflow execution closed before WorkflowTaskStarted event"

    assert rules(facts) == set()


def test_visibility_listing_another_status_than_the_view_is_named() -> None:
    facts = stores_of(at_rest(Stage.COMPLETED))
    facts.listed_status = OrderStatus.DELIVERED.value

    assert Rule.VIEW_AGREES in rules(facts)


def test_a_skus_buckets_must_be_what_its_reservations_hold() -> None:
    skus = [SkuFacts(sku="MUG", on_hand=5, reserved=2, shipped=1, quarantined=0)]
    held = [("MUG", ReservedUnits(reserved=1, shipped=1)), ("MUG", ReservedUnits(released=3))]

    [violation] = audit([], skus, held, NOW)

    assert (violation.order_id, violation.rule) == (None, Rule.STOCK_CONSERVED)
    assert "reserved is 2" in violation.detail


def test_a_negative_bucket_breaks_stock_conservation() -> None:
    skus = [SkuFacts(sku="MUG", on_hand=-1, reserved=0, shipped=0, quarantined=0)]

    assert [v.rule for v in audit([], skus, [], NOW)] == [Rule.STOCK_CONSERVED]


def test_a_line_reserved_twice_over_is_named() -> None:
    facts = stores_of(at_rest(Stage.COMPLETED))
    line = facts.view.lines[0] if facts.view else None
    assert line is not None
    facts.units[line.sku] = ReservedUnits(shipped=line.quantity, released=1)

    assert Rule.STOCK_CONSERVED in rules(facts)


def test_records_of_an_order_no_workflow_carries_are_named() -> None:
    [violation] = unknown_orders({"a"}, {"a", "ghost"})

    assert (violation.order_id, violation.rule) == ("ghost", Rule.VIEW_AGREES)
