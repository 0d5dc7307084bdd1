"""Rich renderings of outcomes, order lists, review queues, mail and scenario results for the terminal.

The order view itself is starter.render_order; `render.order` is it, for the commands' convenience.
"""

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from domain.currency import money
from domain.requests import CancellationOutcome
from starter.client import OrderSummary
from starter.render_order import order, verdict_style
from starter.reviews import ReviewQueue

__all__ = ["mail", "money", "order", "orders", "outcome", "reviews", "scenarios", "signal_recorded"]


def outcome(answer: CancellationOutcome) -> Text:
    text = Text(answer.outcome.value, style=f"bold {verdict_style(answer.outcome)}")
    if answer.reason_code:
        text.append(f" {answer.reason_code.value}")
    if answer.suggestion:
        text.append(f" (suggestion: {answer.suggestion.value})")
    text.append(f"  {answer.message}")
    return text


def signal_recorded(order_id: str, request_id: str) -> Text:
    """A signalled cancellation no worker has read yet: it is in the order's history and waits for one."""
    # Text, not markup: a request id is the caller's and may hold brackets.
    return Text(
        f"cancellation request {request_id} recorded on order {order_id}; no worker is running, so it will be "
        f"decided when a worker picks the order up (then see `orders status {order_id}`)"
    )


def orders(rows: Sequence[OrderSummary]) -> Table:
    table = Table("order", "status", "customer", "execution", "started", title=f"{len(rows)} order(s)")
    for row in rows:
        started = row.started.strftime("%Y-%m-%d %H:%M:%S") if row.started else ""
        table.add_row(row.order_id, row.status, row.customer_id, row.execution, started)
    return table


def reviews(queue: ReviewQueue) -> Table:
    table = Table(title=f"{len(queue.reviews)} request(s) awaiting review", caption=queue.note())
    for name in ("order", "request"):
        table.add_column(name, no_wrap=True)  # ids are copied into `orders review`: never cut them
    for name in ("by", "cancel", "waiting since", "escalated", "order status"):
        table.add_column(name)
    for r in queue.reviews:
        table.add_row(r.order_id, r.request_id, r.requested_by.value, r.what, r.since.strftime("%m-%d %H:%M:%S"),
                      "yes" if r.escalated else "", r.order_status)
    return table


def mail(messages: Sequence[dict[str, Any]]) -> Table:
    table = Table("received", "order", "kind", "to", "subject", title=f"{len(messages)} message(s)")
    for message in messages:
        table.add_row(
            str(message.get("received_at") or "")[:19],
            str(message.get("order_id") or ""),
            str(message.get("kind") or ""),
            str(message.get("to") or ""),
            str(message.get("subject") or ""),
        )
    return table


def scenarios(rows: Sequence[Any]) -> Table:
    table = Table("scenario", "result", "s", "order", "detail", title="scenario suite")
    for row in rows:
        verdict = Text("PASS", style="bold green") if row.passed else Text("FAIL", style="bold red")
        # Over the API, a step only Temporal offers went there: the row says so. Text, not markup: brackets stay.
        detail = Text(row.detail + "".join(f" [{step}: on Temporal]" for step in row.temporal_steps))
        table.add_row(row.name, verdict, f"{row.seconds:.1f}", " ".join(row.order_ids), detail)
    return table
