"""The order view in the terminal: status, lines, money, what is pending or needs a person, requests, timeline."""

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from domain.currency import money
from domain.lines import LineState, LineStatus
from domain.order import Order
from domain.requests import CancellationRecord, ResolutionAction, Verdict

_STATUS_STYLE = {
    "CANCELLED": "red", "COMPLETED": "green", "DELIVERED": "green", "CANCELLING": "yellow", "NEEDS_ATTENTION": "bold yellow",
}


def verdict_style(verdict: Verdict) -> str:
    # PENDING_REVIEW and INTERCEPT_REQUESTED are answers still to be settled.
    return {Verdict.ACCEPTED: "green", Verdict.REJECTED: "red"}.get(verdict, "yellow")


# The `orders resolve` flag of each way out of NEEDS_ATTENTION.
RESOLVE_FLAGS = {
    ResolutionAction.RETRY: "--retry",
    ResolutionAction.REFUND_TO_STORE_CREDIT: "--store-credit",
    ResolutionAction.MARK_RESOLVED: "--mark-resolved",
}


def _line(line: LineState, currency: str) -> str:
    part = f" ({line.cancelled_quantity} of {line.quantity})" if line.status is LineStatus.PARTIALLY_CANCELLED else ""
    return f"{line.quantity} x {line.sku} @ {money(line.unit_price_minor, currency)}  {line.status.value}{part}"


def _pending(view: Order, record: CancellationRecord) -> Text:
    if record.outcome is Verdict.INTERCEPT_REQUESTED:
        return Text(f"PENDING: intercept requested for {record.request_id}; waiting for the carrier", style="yellow")
    overdue = ", overdue and escalated" if record.escalated else ""
    return Text(
        f"PENDING REVIEW: {record.request_id} by {record.requested_by.value} "
        f"since {record.at:%Y-%m-%d %H:%M:%S}{overdue}; "
        f"decide with `orders review {view.order_id} --approve|--deny --by NAME`",
        style="yellow",
    )


def order(view: Order) -> Panel:
    title = Text(f"order {view.order_id}  ")
    title.append(view.status.value, style=_STATUS_STYLE.get(view.status.value, "cyan"))
    if view.cancellation_reason:
        title.append(f" ({view.cancellation_reason.value})")
    if view.partially_cancelled:
        title.append(" PARTIALLY_CANCELLED", style="yellow")

    facts = Table.grid(padding=(0, 2))
    facts.add_row("customer", f"{view.customer_id} <{view.customer_email}>")
    facts.add_row("lines", "\n".join(_line(line, view.currency) for line in view.lines))
    facts.add_row("total", money(view.total_minor, view.currency))
    held = " (voided)" if view.authorization_voided else ""
    facts.add_row("authorized", money(view.authorized_minor, view.currency) + held)
    facts.add_row("captured", money(view.captured_minor, view.currency))
    facts.add_row("refunded", money(view.refunded_minor, view.currency))
    if view.refund_pending_minor:
        facts.add_row("refund pending", money(view.refund_pending_minor, view.currency))
    facts.add_row("store credit", money(view.store_credit_minor, view.currency))
    facts.add_row("stock", view.stock.value)
    if view.shipment:
        ship = view.shipment
        label = "label voided" if ship.label_voided else "label live"
        last = ship.last_event.value if ship.last_event else "no scan yet"
        held = f"  held for review of {ship.held_for}" if ship.held_for else ""
        facts.add_row("shipment", f"{ship.shipment_id}  tracking {ship.tracking_number}  {label}  {last}{held}")
    parts: list[Any] = [facts]
    if view.open_request:
        parts.append(_pending(view, view.open_request))
    if view.attention:
        need = view.attention
        flags = "|".join(RESOLVE_FLAGS[action] for action in need.actions)
        parts.append(Text(f"NEEDS ATTENTION since {need.since:%Y-%m-%d %H:%M}: {need.problem} (step {need.step}); "
                          f"ways out: {', '.join(need.actions)}: `orders resolve {view.order_id} {flags} --by NAME`",
                          style="bold yellow"))

    if view.cancellations:
        requests = Table("request", "reason", "by", "lines", "outcome", "code", "reviewed", "message",
                         title="cancellation requests")
        for c in view.cancellations:
            lines = ", ".join(f"{x.quantity} x {x.sku}" for x in c.lines) if c.lines else "all"
            reviewed = f"{c.reviewed_by}" + (f": {c.review_note}" if c.review_note else "") if c.reviewed_by else ""
            requests.add_row(
                c.request_id, c.reason.value, c.requested_by.value, lines,
                Text(c.outcome.value, style=verdict_style(c.outcome)), c.reason_code.value if c.reason_code else "",
                reviewed, c.message,
            )
        parts.append(requests)

    timeline = Table("at", "event", "detail", title="timeline")
    for entry in view.timeline:
        detail = entry.detail + (f" (×{entry.times})" if entry.times > 1 else "")
        timeline.add_row(entry.at.strftime("%H:%M:%S.%f")[:-3], entry.event, detail)
    parts.append(timeline)
    return Panel(Group(*parts), title=title, title_align="left")
