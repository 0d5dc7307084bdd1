"""Every rule about when an order may be cancelled, and what must be undone when it is."""

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.errors import OrderError
from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.payment import PaymentState
from domain.policy import Policy
from domain.requests import (
    CancellationOutcome,
    CancellationRecord,
    CancellationRequest,
    CancellationReview,
    ReasonCode,
    RefundDestination,
    RequestedBy,
    ResolutionAction,
    ReviewDecision,
    Suggestion,
    Verdict,
)

Selection = dict[str, int]  # sku -> quantity being cancelled


class RequestIdReused(OrderError):
    """The request_id was already used for a request with other parameters."""


class TooManyRequests(OrderError):
    """The order has decided as many cancellation requests as one order may take."""


# A real order sees a handful of requests. Past this many, new ones are refused (repeats still get
# their answers), so that a client gone wild cannot grow the order's state without bound.
MOST_REQUESTS = 200


def over_request_limit(order: Order, request: CancellationRequest, waiting: int = 0) -> bool:
    """A new request (not a repeat) to an order that has already taken MOST_REQUESTS."""
    return order.cancellation(request.request_id) is None and len(order.cancellations) + waiting >= MOST_REQUESTS


class InvalidLines(OrderError):
    """A partial cancellation names a line the order does not have, or more than is still open."""


class Step(StrEnum):
    """Compensations, in the order they run: stop the parcel, return the money, put back the goods."""

    VOID_LABEL = "VOID_LABEL"
    REQUEST_INTERCEPT = "REQUEST_INTERCEPT"
    RESTOCK_RETURNED = "RESTOCK_RETURNED"
    REFUND_PAYMENT = "REFUND_PAYMENT"
    VOID_AUTHORIZATION = "VOID_AUTHORIZATION"
    RELEASE_STOCK = "RELEASE_STOCK"


class Compensation(BaseModel):
    model_config = ConfigDict(frozen=True)

    step: Step
    amount_minor: int = 0
    refund_to: RefundDestination = RefundDestination.ORIGINAL
    restock: bool = True
    lines: tuple[tuple[str, int], ...] | None = None  # None: everything the step concerns
    # A whole-order refund gives back what is still captured when it runs, not when it was
    # decided: refunds queued ahead of it (earlier partial cancellations) have by then either
    # paid back their own lines or been abandoned to it.
    rest: bool = False

    def fixed(self, order: Order) -> "Compensation":
        """The step as it runs now, its amount settled."""
        if not self.rest:
            return self
        return self.model_copy(update={"amount_minor": order.outstanding_minor, "rest": False})

    def refund_instead(self, order: Order) -> "Compensation":
        """A void that found the hold captured (a capture whose answer was lost): give back what is
        still captured, where the request asked money to go."""
        return self.model_copy(update={"step": Step.REFUND_PAYMENT, "amount_minor": order.outstanding_minor})

    def ways_out(self, *, card_refused: bool, credit_unknown: bool = False) -> list[ResolutionAction]:
        """What a person may do when this step cannot be done: try again, or record it as done
        outside the system. Money the card refused (its refund failed) may go to store credit;
        a refund whose answer was lost or that is still pending may yet reach the card, so
        crediting it too could pay the customer twice. Likewise a store credit whose answer was
        lost is asked for again under its key, never swapped back for a refund to the card."""
        if credit_unknown:
            return [ResolutionAction.REFUND_TO_STORE_CREDIT, ResolutionAction.MARK_RESOLVED]
        actions = [ResolutionAction.RETRY]
        if card_refused and self.step is Step.REFUND_PAYMENT and self.refund_to is RefundDestination.ORIGINAL:
            actions.append(ResolutionAction.REFUND_TO_STORE_CREDIT)
        return [*actions, ResolutionAction.MARK_RESOLVED]


class Decision(BaseModel):
    """What a request gets, the lines it takes off, and the compensations to run."""

    outcome: CancellationOutcome
    selection: Selection = {}
    compensations: list[Compensation] = []
    full: bool = False  # the request takes every open unit: the order itself is cancelled
    repeated: bool = False
    superseded: CancellationOutcome | None = None  # the settled answer of the review this one overtook
    settles: bool = False  # the final answer to a request the customer was told is pending

    @property
    def accepted(self) -> bool:
        return self.outcome.outcome is Verdict.ACCEPTED and not self.repeated


def _answer(request_id: str, verdict: Verdict, message: str, code: ReasonCode | None = None) -> CancellationOutcome:
    suggestion = Suggestion.RETURN if code in _RETURN_INSTEAD else None
    return CancellationOutcome(
        request_id=request_id, outcome=verdict, reason_code=code, suggestion=suggestion, message=message
    )


_RETURN_INSTEAD = {ReasonCode.ALREADY_SHIPPED, ReasonCode.ALREADY_DELIVERED, ReasonCode.INTERCEPT_FAILED}

_TERMINAL_ANSWERS: dict[OrderStatus, tuple[ReasonCode, str]] = {
    OrderStatus.CANCELLING: (ReasonCode.ALREADY_CANCELLED, "Order {id} is already cancelled."),
    OrderStatus.CANCELLED: (ReasonCode.ALREADY_CANCELLED, "Order {id} is already cancelled."),
    OrderStatus.COMPLETED: (ReasonCode.ALREADY_COMPLETED, "Order {id} is complete and can no longer be cancelled."),
    OrderStatus.DELIVERED: (
        ReasonCode.ALREADY_DELIVERED,
        "Order {id} has been delivered; please return it instead of cancelling it.",
    ),
}


def check_request(order: Order, request: CancellationRequest, waiting: Sequence[CancellationRequest] = ()) -> None:
    """What an update validator refuses: a request_id reused with other parameters, or lines that
    do not fit the order. A repeat of an earlier request is fine: it gets the earlier answer.
    Requests `waiting` to be decided (behind a step in flight) have used their request_id too."""
    prior = order.cancellation(request.request_id)
    earlier = prior.request() if prior else next((w for w in waiting if w.request_id == request.request_id), None)
    if earlier is not None:
        if earlier != request:
            raise RequestIdReused(
                f"request_id {request.request_id!r} was already used for a different request on order {order.order_id}"
            )
        return
    if over_request_limit(order, request, len(waiting)):
        raise TooManyRequests(
            f"order {order.order_id} has taken {MOST_REQUESTS} cancellation requests, the most one order takes; "
            "repeat an earlier request_id to hear its answer"
        )
    if order.stage in _TERMINAL_ANSWERS:
        return  # the order's own state is the truer answer (ALREADY_CANCELLED, ...), and decide gives it
    check_lines(order, request)


def check_lines(order: Order, request: CancellationRequest) -> None:
    seen: set[str] = set()
    for wanted in request.lines or ():
        line = order.line(wanted.sku)
        if line is None:
            raise InvalidLines(f"line {wanted.sku}: order {order.order_id} has no such line")
        if wanted.sku in seen:
            raise InvalidLines(f"line {wanted.sku}: named twice")
        if wanted.quantity > line.open_quantity:
            raise InvalidLines(
                f"line {wanted.sku}: {wanted.quantity} to cancel but only {line.open_quantity} still open"
            )
        seen.add(wanted.sku)


def selection_of(order: Order, request: CancellationRequest) -> Selection:
    if request.lines is None:
        return {line.sku: line.open_quantity for line in order.lines if line.open_quantity}
    return {wanted.sku: wanted.quantity for wanted in request.lines}


def is_full(order: Order, selection: Selection) -> bool:
    return sum(selection.values()) == order.open_units


def value_of(order: Order, selection: Selection) -> int:
    prices = {line.sku: line.unit_price_minor for line in order.lines}
    goods = sum(prices[sku] * quantity for sku, quantity in selection.items())
    return goods + (order.shipping_fee_minor if is_full(order, selection) else 0)


def decide(order: Order, request: CancellationRequest, policy: Policy, now: datetime) -> Decision:
    """What a cancellation request gets at the order's current stage, and the compensations to run."""
    prior = order.cancellation(request.request_id)
    if prior is not None:
        return Decision(outcome=prior.answer(), repeated=True)
    rid = request.request_id
    terminal = _TERMINAL_ANSWERS.get(order.stage)
    if terminal is not None:
        code, sentence = terminal
        return Decision(outcome=_answer(rid, Verdict.REJECTED, sentence.format(id=order.order_id), code))
    pending = order.open_request
    if pending is not None and not _overtakes(request, pending):
        message = f"A cancellation of order {order.order_id} is already being handled."
        return Decision(outcome=_answer(rid, Verdict.REJECTED, message, ReasonCode.CANCELLATION_PENDING))
    decision = _decide_open(order, request, lambda selection: needs_review(order, request, selection, policy, now))
    if pending is not None and decision.full and decision.outcome.outcome is not Verdict.REJECTED:
        message = f"Your request to cancel order {order.order_id} was overtaken by a cancellation of the whole order."
        decision.superseded = _answer(pending.request_id, Verdict.REJECTED, message, ReasonCode.SUPERSEDED)
    return decision


def _overtakes(request: CancellationRequest, pending: CancellationRecord) -> bool:
    """Customer service and systems need no review, so a customer's request awaiting one must not
    hold them up: a declined card or a fraud check cancels the order whatever the customer asked."""
    return pending.outcome is Verdict.PENDING_REVIEW and request.requested_by is not RequestedBy.CUSTOMER


def _decide_open(order: Order, request: CancellationRequest, review: Callable[[Selection], bool]) -> Decision:
    """The answer for an order that can still be cancelled, at least in part."""
    rid = request.request_id
    try:
        # Checked again here: lines may have been cancelled since the validator looked, or while a review waited.
        check_lines(order, request)
    except InvalidLines as error:
        return Decision(outcome=_answer(rid, Verdict.REJECTED, str(error), ReasonCode.INVALID_LINES))
    selection = selection_of(order, request)
    if order.stage is OrderStatus.SHIPPED:
        return _after_pickup(order, request, selection)
    if review(selection):
        message = f"Your request to cancel order {order.order_id} has been passed to our customer service."
        return Decision(outcome=_answer(rid, Verdict.PENDING_REVIEW, message), selection=selection)
    return accept(order, request, selection)


def needs_review(order: Order, request: CancellationRequest, selection: Selection, policy: Policy, now: datetime) -> bool:
    """Customers cancel alone inside the free window and below the value threshold; staff and systems always may."""
    if request.requested_by is not RequestedBy.CUSTOMER:
        return False
    if policy.review_above_minor is not None and value_of(order, selection) > policy.review_above_minor:
        return True
    window_closed = order.window_closes_at is not None and now >= order.window_closes_at
    return policy.review_customer_requests_after_window and window_closed


def _after_pickup(order: Order, request: CancellationRequest, selection: Selection) -> Decision:
    if order.returned_undelivered and is_full(order, selection):
        # The carrier brought the parcel back unasked (an address it could not deliver to): nothing to recall.
        return _cancel_returned(order, request, selection)
    if not is_full(order, selection):
        message = (
            f"Part of order {order.order_id} cannot be recalled once the parcel has left; "
            "you can return those items after delivery."
        )
        return Decision(outcome=_answer(request.request_id, Verdict.REJECTED, message, ReasonCode.ALREADY_SHIPPED))
    message = (
        f"Order {order.order_id} has left our warehouse. We have asked the carrier to return it to us; "
        "this is not guaranteed, and we will tell you the outcome."
    )
    return Decision(
        outcome=_answer(request.request_id, Verdict.INTERCEPT_REQUESTED, message),
        selection=selection,
        compensations=[Compensation(step=Step.REQUEST_INTERCEPT)],
        # A recall of the whole parcel: it overtakes a review left open, so that the carrier's
        # answer settles the one open request, the recall.
        full=True,
    )


def accept(order: Order, request: CancellationRequest, selection: Selection) -> Decision:
    full = is_full(order, selection)
    what = f"Order {order.order_id}" if full else "Part of order " + order.order_id
    return Decision(
        outcome=_answer(request.request_id, Verdict.ACCEPTED, f"{what} is being cancelled."),
        selection=selection,
        compensations=compensations_for(order, request, selection),
        full=full,
    )


def compensations_for(order: Order, request: CancellationRequest, selection: Selection) -> list[Compensation]:
    """Exactly what has happened so far to these units and this money, undone: nothing more, nothing twice."""
    full = is_full(order, selection)
    plan: list[Compensation] = []
    if full and (order.has_live_label or order.label_unconfirmed_units is not None):
        # A label whose answer was lost is found first, by asking for it again under its key.
        plan.append(Compensation(step=Step.VOID_LABEL))
    if order.payment is PaymentState.CAPTURED:
        plan.extend(_refund(order, request, selection))
    elif full and order.holds_authorization:
        # refund_to: where the money goes should the void find the hold captured after all.
        plan.append(Compensation(step=Step.VOID_AUTHORIZATION, refund_to=request.refund_to))
    if order.stock is StockState.RESERVED:
        lines = None if full else tuple(sorted(selection.items()))
        plan.append(Compensation(step=Step.RELEASE_STOCK, restock=request.restock, lines=lines))
    elif full and order.stock is StockState.UNCONFIRMED:
        # Whatever the lost reservation holds goes back; releasing one that was never made moves nothing.
        # (Lines cancelled alone wait for the reservation's answer: see Order.beyond_open.)
        plan.append(Compensation(step=Step.RELEASE_STOCK, restock=request.restock))
    return plan


def surplus_units(order: Order, reserved: Selection) -> Compensation | None:
    """A reservation re-sent after its answer was lost holds what was open when it was first sent:
    the units of lines cancelled meanwhile were never picked, so they go back on hand."""
    extra = order.beyond_open(reserved)
    return Compensation(step=Step.RELEASE_STOCK, lines=tuple(sorted(extra.items()))) if extra else None


def surplus_money(order: Order) -> Compensation | None:
    """A capture re-sent after its answer was lost takes what was open when it was first sent: the
    share of lines cancelled meanwhile goes back to the card the customer should never have paid with."""
    amount = order.overcaptured_minor
    return Compensation(step=Step.REFUND_PAYMENT, amount_minor=amount) if amount else None


def _refund(order: Order, request: CancellationRequest, selection: Selection) -> list[Compensation]:
    """A partial cancellation pays back its lines; a full one everything still captured (see Compensation.rest)."""
    full = is_full(order, selection)
    amount = order.outstanding_minor if full else value_of(order, selection)
    if amount == 0:
        return []
    return [Compensation(step=Step.REFUND_PAYMENT, amount_minor=amount, refund_to=request.refund_to, rest=full)]


def settle_review(order: Order, record: CancellationRecord, review: CancellationReview) -> Decision:
    """A person approved or denied a request that policy sent to review."""
    return _review_answer(order, record, review).model_copy(update={"settles": True})


def _review_answer(order: Order, record: CancellationRecord, review: CancellationReview) -> Decision:
    request = record.request()
    if review.decision is ReviewDecision.DENY:
        reason = f" ({review.note})" if review.note else ""
        message = f"Your request to cancel order {order.order_id} was declined{reason}; the order goes ahead."
        return Decision(outcome=_answer(request.request_id, Verdict.REJECTED, message, ReasonCode.REVIEW_DENIED))
    terminal = _TERMINAL_ANSWERS.get(order.stage)
    if terminal is not None:
        # The order moved on while the request waited (delivered, say): approving now would be a return.
        code, sentence = terminal
        return Decision(outcome=_answer(request.request_id, Verdict.REJECTED, sentence.format(id=order.order_id), code))
    # Lines may have been cancelled by staff while the request waited: then it is refused, and said so.
    return _decide_open(order, request, lambda _: False)


def settle_intercept(order: Order, record: CancellationRecord, returned: bool) -> Decision:
    """The carrier's answer to an intercept: the parcel came back, or it could not be stopped."""
    request = record.request()
    if not returned:
        message = (
            f"The carrier could not stop order {order.order_id}; please return it after delivery for a refund."
        )
        return Decision(outcome=_answer(request.request_id, Verdict.REJECTED, message, ReasonCode.INTERCEPT_FAILED))
    return _cancel_returned(order, request, selection_of(order, request))


def _cancel_returned(order: Order, request: CancellationRequest, selection: Selection) -> Decision:
    """The parcel is back with us: its units go back on the shelf, its money back to the customer."""
    plan = [_take_back_goods(order, request), *_refund(order, request, selection)]
    return Decision(
        outcome=_answer(request.request_id, Verdict.ACCEPTED, f"Order {order.order_id} was returned and is cancelled."),
        selection=selection,
        compensations=plan,
        full=True,
    )


def _take_back_goods(order: Order, request: CancellationRequest) -> Compensation:
    """The parcel is back: its units return from where the inventory books them. A carrier may answer
    before the units were booked out as shipped; they are then still reserved, and released."""
    if order.stock is StockState.RESERVED:
        return Compensation(step=Step.RELEASE_STOCK, restock=request.restock)
    return Compensation(step=Step.RESTOCK_RETURNED, restock=request.restock)


def notifies_customer(request: CancellationRequest, decision: Decision) -> bool:
    """Tell the customer of a new outcome they do not already know; never of a repeat.

    Accepted cancellations are told once their compensations are done, in their own message.
    """
    if decision.repeated or not request.notify_customer:
        return False
    verdict, code = decision.outcome.outcome, decision.outcome.reason_code
    if verdict is Verdict.REJECTED and decision.settles:
        return True  # they were told to wait for this answer, whatever its reason
    return verdict is Verdict.INTERCEPT_REQUESTED or (verdict is Verdict.REJECTED and code in _TOLD)


_TOLD = {
    ReasonCode.ALREADY_SHIPPED,
    ReasonCode.ALREADY_DELIVERED,
    ReasonCode.REVIEW_DENIED,
    ReasonCode.INTERCEPT_FAILED,
}
