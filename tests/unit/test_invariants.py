"""Property tests: the money, stock and answer invariants over hundreds of generated orders.

A tiny pure simulator plays one order through a random script, as workflows/order.py would:
forward steps (only when no compensation is queued), cancellation requests at every stage
(whole, or some units of some lines, with either refund destination, some repeating or
reusing a request_id, some naming wrong lines), reviews approved or denied, the carrier's
answer to an intercept, late or repeated scans, and the queued compensations run a few at a
time, refunds staying pending until the gateway answers and some failing, then resolved by a
person with store credit. It runs every step against the Order and against plain ledgers of
the outside world (the payment gateway and the warehouse: on_hand, reserved, shipped,
quarantined), checks the invariants of DOMAIN.md after every step, then plays the story to
its end (COMPLETED or CANCELLED) and checks what the customer paid for and got.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from domain import messages
from domain.cancellation import (
    Compensation,
    Decision,
    InvalidLines,
    RequestIdReused,
    Step,
    check_request,
    decide,
    notifies_customer,
    settle_intercept,
    settle_review,
)
from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.placement import OrderLine
from domain.policy import Policy
from domain.requests import (
    CancellationRecord,
    CancellationRequest,
    CancellationReview,
    CancelReason,
    LineSelection,
    ReasonCode,
    RefundDestination,
    RequestedBy,
    ResolutionAction,
    ReviewDecision,
    Verdict,
)
from domain.shipment import ShipmentEvent, ShipmentEventType
from tests.unit.factories import STAGES, STEPS, Stage, at, place_order

BUCKETS = ("on_hand", "reserved", "shipped", "quarantined")
BEFORE_PICKUP = set(STAGES[: STAGES.index(Stage.PICKED_UP)])
ENDED = {OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.CANCELLING, OrderStatus.CANCELLED}


@st.composite
def commands(draw):
    skus = draw(st.lists(st.sampled_from([f"sku-{n}" for n in range(1, 7)]), min_size=1, max_size=4, unique=True))
    lines = [
        OrderLine(sku=sku, quantity=draw(st.integers(1, 6)), unit_price_minor=draw(st.integers(0, 50_000)))
        for sku in skus
    ]
    return place_order().model_copy(update={"lines": lines, "shipping_fee_minor": draw(st.integers(0, 2_000))})


policies = st.builds(
    Policy,
    review_customer_requests_after_window=st.sampled_from([True, True, False]),
    review_above_minor=st.none() | st.integers(0, 150_000),
)
# Customers ask most often, and only their requests may go to review.
requesters = st.sampled_from(
    [RequestedBy.CUSTOMER, RequestedBy.CUSTOMER, RequestedBy.CUSTOMER_SERVICE, RequestedBy.SYSTEM]
)


@dataclass
class Job:
    """An answered request whose compensations are queued, as the workflow's work list holds them."""

    request: CancellationRequest
    decision: Decision
    todo: list[Compensation]
    refunding: Compensation | None = None  # a refund started at the gateway and not settled yet


@dataclass
class World:
    """One order, and the outside world's ledgers that its steps and compensations move."""

    order: Order
    policy: Policy
    data: st.DataObject
    stock: dict[str, dict[str, int]]
    units: dict[str, int]
    stage: Stage = Stage.PLACED
    authorized: int = 0
    captured: int = 0
    refunds: list[tuple[str, int, RefundDestination]] = field(default_factory=list)
    in_flight: int = 0  # refunds started and not settled
    hold_live: bool = False
    label_live: bool = False
    clock: int = 0
    jobs: list[Job] = field(default_factory=list)
    done: Counter = field(default_factory=Counter)  # (request_id, step) -> times carried out
    sent: dict[str, CancellationRequest] = field(default_factory=dict)
    answers: dict[str, Verdict] = field(default_factory=dict)
    message_keys: list[str] = field(default_factory=list)

    def draw(self, strategy, label: str):
        return self.data.draw(strategy, label=label)

    def tick(self) -> datetime:
        self.clock += 1
        return at(self.clock)

    def move(self, source: str, target: str, units: dict[str, int]) -> None:
        for sku, quantity in units.items():
            self.stock[sku][source] -= quantity
            self.stock[sku][target] += quantity

    def held(self, bucket: str) -> dict[str, int]:
        return {sku: buckets[bucket] for sku, buckets in self.stock.items()}

    def tell(self, message: messages.CustomerMessage) -> None:
        self.message_keys.append(message.key)

    # --- forward: the workflow takes a step only when no compensation is queued ---

    def can_advance(self) -> bool:
        order, nxt = self.order, STAGES[STAGES.index(self.stage) + 1] if self.stage is not Stage.COMPLETED else None
        if nxt is None or self.jobs or order.stage in (OrderStatus.CANCELLING, OrderStatus.CANCELLED):
            return False
        reviewing = order.open_request is not None and order.open_request.outcome is Verdict.PENDING_REVIEW
        if nxt in (Stage.CAPTURED, Stage.LABEL_BOUGHT) and reviewing:
            return False
        return not (nxt is Stage.COMPLETED and order.open_request is not None)

    def advance(self) -> None:
        step = STAGES[STAGES.index(self.stage) + 1]
        order = self.order
        if step is Stage.CAPTURED:
            assert self.hold_live, "capturing a hold that was voided"
            self.captured = order.capturable_minor
            self.hold_live = False
        STEPS[step](order, self.tick())
        if step is Stage.AUTHORIZED:
            self.authorized, self.hold_live = order.total_minor, True
        elif step is Stage.RESERVED:
            self.move("on_hand", "reserved", {line.sku: line.open_quantity for line in order.lines})
        elif step is Stage.LABEL_BOUGHT:
            self.label_live = True
        elif step is Stage.PICKED_UP:
            assert self.label_live, "the parcel left without a live label"
            self.label_live = False
            self.move("reserved", "shipped", self.held("reserved"))
        elif step is Stage.DELIVERED:
            self.carrier_answers(returned=False)  # the workflow's reading of a delivery during an intercept
        self.stage = step
        event(f"reached {step}")
        self.check()

    # --- requests, reviews and carrier answers ---

    def new_request(self) -> CancellationRequest:
        lines = None
        if self.draw(st.booleans(), "partial?"):
            skus = [line.sku for line in self.order.lines]
            chosen = self.draw(st.lists(st.sampled_from(skus), min_size=1, max_size=3, unique=True), "lines")
            if self.draw(st.integers(0, 9), "a wrong line?") == 0:
                chosen.append(self.draw(st.sampled_from(["sku-x", chosen[0]]), "unknown or twice"))
            quantity = {line.sku: line.quantity for line in self.order.lines}
            lines = tuple(
                LineSelection(sku=sku, quantity=self.draw(st.integers(1, quantity.get(sku, 1)), f"{sku} units"))
                for sku in chosen
            )
        return CancellationRequest(
            request_id=self.draw(st.sampled_from(["req-a", "req-b", "req-c", "req-d", "req-e", "req-f"]), "request_id"),
            reason=self.draw(st.sampled_from(list(CancelReason)), "reason"),
            requested_by=self.draw(requesters, "requested_by"),
            lines=lines,
            refund_to=self.draw(st.sampled_from(list(RefundDestination)), "refund_to"),
            restock=self.draw(st.booleans(), "restock"),
            notify_customer=self.draw(st.booleans(), "notify"),
        )

    def receive(self) -> None:
        repeats = list(self.sent.values())
        repeat = bool(repeats) and self.draw(st.booleans(), "repeat an earlier request?")
        request = self.draw(st.sampled_from(repeats), "repeated") if repeat else self.new_request()
        prior = self.sent.get(request.request_id)
        try:
            check_request(self.order, request)
        except RequestIdReused:
            assert prior is not None and prior != request
            event("request_id reused with other parameters: refused")
            return
        except InvalidLines:
            event("invalid lines: refused by the validator, rejected if signalled")
        open_before = self.order.open_request
        window = self.order.window_closes_at
        late = window is not None and self.draw(st.sampled_from([True, True, False]), "after the window?")
        now = window + timedelta(minutes=1) if late else at(self.clock)
        stage = self.order.stage
        decision = decide(self.order, request, self.policy, now)
        event(f"at {self.stage}: {'repeat of ' if decision.repeated else ''}{decision.outcome.outcome}")
        if decision.repeated:
            assert decision.outcome.outcome is self.answers[request.request_id] and decision.compensations == []
            assert not notifies_customer(request, decision)
            return
        self.expect_answer(request, decision, stage, late)
        if open_before is not None and stage not in ENDED:
            self.expect_overtaking(open_before, request, decision)
        self.order.record_answer(request, decision.outcome, decision.selection, self.tick(), decision.superseded)
        self.sent[request.request_id] = request
        self.answers[request.request_id] = decision.outcome.outcome
        self.follow(request, decision)

    def expect_answer(self, request: CancellationRequest, decision: Decision, stage: OrderStatus, late: bool) -> None:
        verdict, code = decision.outcome.outcome, decision.outcome.reason_code
        if verdict is Verdict.ACCEPTED:
            assert self.stage in BEFORE_PICKUP
        if verdict is Verdict.PENDING_REVIEW:
            assert request.requested_by is RequestedBy.CUSTOMER and decision.compensations == []
            assert late or self.policy.review_above_minor is not None
        if verdict is Verdict.INTERCEPT_REQUESTED:
            assert stage is OrderStatus.SHIPPED
            assert decision.compensations == [Compensation(step=Step.REQUEST_INTERCEPT)]
        if stage is OrderStatus.SHIPPED and verdict is Verdict.REJECTED:
            assert code in (ReasonCode.ALREADY_SHIPPED, ReasonCode.CANCELLATION_PENDING, ReasonCode.INVALID_LINES)
        if stage in ENDED:
            assert verdict is Verdict.REJECTED and decision.compensations == []

    def expect_overtaking(self, pending: CancellationRecord, request: CancellationRequest, decision: Decision) -> None:
        """A request waits behind an open one, unless it needs no review and the open one awaits review."""
        if pending.outcome is not Verdict.PENDING_REVIEW or request.requested_by is RequestedBy.CUSTOMER:
            assert decision.outcome.reason_code is ReasonCode.CANCELLATION_PENDING
        elif decision.full and decision.outcome.outcome is not Verdict.REJECTED:
            assert decision.superseded is not None and decision.superseded.request_id == pending.request_id
            assert decision.superseded.reason_code is ReasonCode.SUPERSEDED
            self.answers[pending.request_id] = Verdict.REJECTED
            event("a review overtaken by a whole-order cancellation")
        else:
            assert decision.superseded is None
            event("a partial request decided while a review is open")

    def follow(self, request: CancellationRequest, decision: Decision) -> None:
        """What the workflow does with an answer: queue its work and tell the customer what they must know now."""
        if decision.compensations or decision.accepted:
            self.jobs.append(Job(request, decision, list(decision.compensations)))
        if notifies_customer(request, decision):
            if decision.outcome.outcome is Verdict.INTERCEPT_REQUESTED:
                self.tell(messages.recall_requested(self.order, decision.outcome))
            else:
                self.tell(messages.rejection(self.order, decision.outcome))
        self.check()

    def review(self) -> None:
        record = self.order.open_request
        if record is None or record.outcome is not Verdict.PENDING_REVIEW:
            return
        verdict = self.draw(st.sampled_from(list(ReviewDecision)), "review")
        review = CancellationReview(request_id=record.request_id, decision=verdict, reviewer="sam")
        decision = settle_review(self.order, record, review)
        event(f"review {verdict} at {self.stage}: {decision.outcome.outcome}")
        if verdict is ReviewDecision.DENY:
            assert decision.outcome.reason_code is ReasonCode.REVIEW_DENIED
        self.order.record_settlement(record.request_id, decision.outcome, decision.selection, self.tick())
        self.answers[record.request_id] = decision.outcome.outcome
        self.follow(record.request(), decision)

    def carrier_answers(self, returned: bool | None = None) -> None:
        record, order = self.order.open_request, self.order
        if record is None or record.outcome is not Verdict.INTERCEPT_REQUESTED:
            return
        if not order.shipment.intercept_requested:  # the request has not reached the carrier yet
            return
        if returned is None:
            returned = self.draw(st.booleans(), "parcel returned?")
            kind = ShipmentEventType.RETURNED_TO_SENDER if returned else ShipmentEventType.INTERCEPT_FAILED
            assert order.record_shipment_event(ShipmentEvent(type=kind), self.tick())
        decision = settle_intercept(order, record, returned)
        event(f"intercept {'returned' if returned else 'failed'}")
        order.record_settlement(record.request_id, decision.outcome, decision.selection, self.tick())
        self.answers[record.request_id] = decision.outcome.outcome
        self.follow(record.request(), decision)

    # --- compensations, oldest first ---

    def compensate(self, count: int) -> None:
        """Run up to `count` queued steps, oldest first; a refund waits for the gateway's answer."""
        while self.jobs and not self.jobs[0].refunding and (count > 0 or not self.jobs[0].todo):
            job = self.jobs[0]
            if job.todo:
                self.run(job.todo.pop(0), job)
                count -= 1
                continue
            self.jobs.pop(0)
            self.finish(job)

    def drain(self) -> None:
        while self.jobs:
            self.compensate(1_000)
            self.refund_settles()

    def finish(self, job: Job) -> None:
        request, decision, order = job.request, job.decision, self.order
        if decision.accepted and decision.full:
            order.record_cancelled(self.tick())
            if request.notify_customer:
                self.tell(messages.cancellation(order, request))
        elif decision.accepted and request.notify_customer:
            refunded = sum(c.amount_minor for c in decision.compensations if c.step is Step.REFUND_PAYMENT)
            credited = refunded if request.refund_to is RefundDestination.STORE_CREDIT else 0
            self.tell(messages.partial_cancellation(order, request, decision.selection, refunded - credited, credited))
        self.check()

    def run(self, compensation: Compensation, job: Job) -> None:
        compensation = compensation.fixed(self.order)
        order, step, when, request = self.order, compensation.step, self.tick(), job.request
        if step is Step.REFUND_PAYMENT and compensation.amount_minor == 0:
            event("nothing left to refund")
            return
        self.done[request.request_id, step] += 1
        if step in (Step.RELEASE_STOCK, Step.RESTOCK_RETURNED):
            assert compensation.restock is request.restock
        if step is Step.REFUND_PAYMENT:
            assert compensation.refund_to is request.refund_to
        if step is Step.VOID_LABEL:
            assert self.label_live, "voiding a label that is not live"
            order.record_label_void(when)
            self.label_live = False
        elif step is Step.REQUEST_INTERCEPT:
            order.record_intercept_requested(when)
        elif step is Step.VOID_AUTHORIZATION:
            assert self.hold_live, "voiding a hold that is not live"
            order.record_void(when)
            self.hold_live = False
        elif step is Step.RELEASE_STOCK:
            units = self.held("reserved") if compensation.lines is None else dict(compensation.lines)
            self.move("reserved", "on_hand" if compensation.restock else "quarantined", units)
            if compensation.lines is None:
                order.record_stock(StockState.RELEASED if compensation.restock else StockState.QUARANTINED, when)
        elif step is Step.RESTOCK_RETURNED:
            self.move("shipped", "on_hand" if compensation.restock else "quarantined", self.held("shipped"))
            order.record_stock(StockState.RETURNED if compensation.restock else StockState.QUARANTINED, when)
        elif compensation.refund_to is RefundDestination.STORE_CREDIT:
            order.record_store_credit(compensation.amount_minor, when, "store credit")
            self.refunds.append((request.request_id, compensation.amount_minor, RefundDestination.STORE_CREDIT))
        else:
            order.record_refund_started(compensation.amount_minor, when, "refund")
            self.in_flight += compensation.amount_minor
            job.refunding = compensation
        self.check()

    def refund_settles(self) -> None:
        """The gateway's answer to the refund in flight; a failed one goes to a person, who gives store credit."""
        job = self.jobs[0] if self.jobs else None
        if job is None or job.refunding is None:
            return
        order, amount, rid = self.order, job.refunding.amount_minor, job.request.request_id
        fails = self.draw(st.booleans(), "refund fails?")
        order.record_refund_settled(amount, not fails, self.tick(), "refund failed" if fails else "refunded")
        self.in_flight -= amount
        to = RefundDestination.ORIGINAL
        if fails:
            event("refund failed, resolved to store credit")
            actions = [ResolutionAction.RETRY, ResolutionAction.REFUND_TO_STORE_CREDIT]
            order.record_attention("refund failed", Step.REFUND_PAYMENT.value, actions, self.tick(), rid)
            self.check()
            order.record_resolved(ResolutionAction.REFUND_TO_STORE_CREDIT, "sam", self.tick())
            order.record_store_credit(amount, self.tick(), "store credit")
            to = RefundDestination.STORE_CREDIT
        self.refunds.append((rid, amount, to))
        job.refunding = None
        self.check()

    def stray_scan(self) -> None:
        """A webhook delivered twice, or late: it no longer applies and changes nothing."""
        order = self.order
        late = [ShipmentEventType.PICKED_UP, ShipmentEventType.DELIVERED, ShipmentEventType.RETURNED_TO_SENDER]
        kind = self.draw(st.sampled_from(late), "stray scan")
        past = ENDED | {OrderStatus.SHIPPED} if kind is ShipmentEventType.PICKED_UP else ENDED
        if order.stage not in past:
            return
        before = order.model_dump()
        applied = order.record_shipment_event(ShipmentEvent(type=kind), self.tick())
        event(f"stray {kind} ignored")
        assert applied is False
        assert order.model_dump(exclude={"timeline"}) == {k: v for k, v in before.items() if k != "timeline"}
        assert order.timeline[-1].event == "SHIPMENT_EVENT_IGNORED"

    # --- invariants ---

    def check(self) -> None:
        order = self.order
        refunded = sum(amount for _, amount, _ in self.refunds)
        given_back = refunded + self.in_flight
        assert 0 <= refunded <= given_back <= self.captured <= self.authorized, "a refund exceeds the capture"
        assert order.refund_pending_minor == self.in_flight
        assert (order.authorized_minor, order.captured_minor, order.refunded_minor) == (
            self.authorized,
            self.captured,
            refunded,
        )
        assert order.store_credit_minor == sum(a for _, a, to in self.refunds if to is RefundDestination.STORE_CREDIT)
        assert order.holds_authorization is self.hold_live
        assert order.has_live_label is self.label_live
        for sku, buckets in self.stock.items():
            assert all(buckets[b] >= 0 for b in BUCKETS), f"{sku} went negative: {buckets}"
            assert sum(buckets[b] for b in BUCKETS) == self.units[sku], f"{sku} lost or gained units: {buckets}"


def play(world: World, start: Stage, script_length: int) -> None:
    actions = {
        "advance": None,
        "request": world.receive,
        "compensate": lambda: world.compensate(world.draw(st.integers(1, 3), "compensations to run")),
        "refund settles": world.refund_settles,
        "stray scan": world.stray_scan,
        "review": world.review,
        "carrier": world.carrier_answers,
    }
    while world.stage is not start:
        world.advance()
    for _ in range(script_length):
        action = world.draw(st.sampled_from([*actions, "request", "request"]), "action")
        if action == "advance":
            for _ in range(world.draw(st.integers(1, 4), "steps forward")):
                if world.can_advance():
                    world.advance()
        else:
            actions[action]()
    # The rest of the story: every queued step done, every open request settled, the order finished.
    while world.jobs or world.order.open_request is not None or world.can_advance():
        world.drain()
        world.review()
        world.carrier_answers()
        if world.can_advance():
            world.advance()


@settings(max_examples=300, deadline=None)
@given(
    command=commands(),
    policy=policies,
    spare=st.integers(0, 5),
    start=st.sampled_from(STAGES[:-1]),
    length=st.integers(1, 12),
    data=st.data(),
)
def test_cancellations_keep_money_stock_and_answers_consistent(command, policy, spare, start, length, data):
    units = {line.sku: line.quantity + spare for line in command.lines}
    stock = {sku: {"on_hand": n, "reserved": 0, "shipped": 0, "quarantined": 0} for sku, n in units.items()}
    world = World(order=Order.placed(command, at(0)), policy=policy, data=data, stock=stock, units=units)

    play(world, start, length)

    order = world.order
    event(f"ended {order.status}{' partially cancelled' if order.partially_cancelled else ''}")
    # every order ends, and every request_id got exactly one answer, compensated at most once
    assert order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED) and order.attention is None
    recorded = [c.request_id for c in order.cancellations]
    assert len(recorded) == len(set(recorded)) and set(recorded) == set(world.sent)
    assert all(not c.open for c in order.cancellations)
    assert max(world.done.values(), default=0) <= 1, f"a step ran twice for one request: {world.done}"
    assert len({rid for rid, _, _ in world.refunds}) == len(world.refunds), "a request was refunded twice"
    # the customer is told of each outcome once
    assert len(world.message_keys) == len(set(world.message_keys))
    paid = order.captured_minor - order.refunded_minor
    assert order.refund_pending_minor == 0
    if order.status is OrderStatus.CANCELLED:
        # everything given back, exactly once: partial refunds plus the last one add up to the capture
        assert paid == 0 and sum(amount for _, amount, _ in world.refunds) == world.captured
        assert not world.hold_live and not world.label_live
        assert world.held("reserved") == world.held("shipped") == dict.fromkeys(units, 0)
        assert all(line.open_quantity == 0 for line in order.lines)
    else:
        # the customer paid for exactly what was delivered, and got exactly that
        assert paid == order.capturable_minor
        assert world.held("shipped") == {line.sku: line.open_quantity for line in order.lines}
        assert world.held("reserved") == dict.fromkeys(units, 0)
