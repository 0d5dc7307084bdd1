"""The commands that look at orders: status and list. Registered on the app in starter.cli."""

from typing import Annotated

import typer

from domain.lifecycle import OrderStatus
from runtime.settings import Settings
from starter import inputs, render
from starter.client import OrdersClient, workflow_id
from starter.console import out
from starter.errors import CliError
from starter.guard import guarded
from starter.retries import fetch_retried_steps, render_retried
from starter.reviews import pending_reviews


def status(order_id: str, json: Annotated[bool, typer.Option("--json", help="the raw order view")] = False) -> None:
    """Show an order: status, lines, money, store credit, what is pending or needs a person, cancellations, timeline,
    and the steps that succeeded only after retries."""

    async def act() -> None:
        inputs.require_order_id(order_id)
        orders = await OrdersClient.connect(Settings())
        view = await orders.status(order_id)
        if json:
            print(view.model_dump_json(indent=2))
        else:
            out.print(render.order(view))
            if retried := await fetch_retried_steps(orders.client, workflow_id(order_id)):
                out.print(render_retried(retried))

    guarded(act)


def list_orders(
    status: Annotated[str | None, typer.Option(help="only orders in this status")] = None,
    attention: Annotated[bool, typer.Option("--attention", help="only orders a person must look at")] = False,
    needs_review: Annotated[
        bool, typer.Option("--needs-review", help="the cancellation requests awaiting review, oldest first")
    ] = False,
    limit: Annotated[int, typer.Option(help="at most this many orders, newest first")] = 50,
) -> None:
    """List orders, newest first (a visibility query on search attributes), or the requests awaiting review."""

    async def act() -> None:
        if needs_review and (status or attention):
            raise CliError("--needs-review lists requests, not orders: leave out --status and --attention")
        if limit < 1:
            raise CliError("--limit must be at least 1")
        wanted = inputs.choice(OrderStatus, status, "status").value if status else None
        orders = await OrdersClient.connect(Settings())
        if needs_review:
            out.print(render.reviews(await pending_reviews(orders, limit=limit)))
        else:
            out.print(render.orders(await orders.list(wanted, attention=attention, limit=limit)))

    guarded(act)
