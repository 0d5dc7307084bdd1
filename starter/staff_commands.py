"""Customer service's commands: decide a request awaiting review, resolve an order that needs attention.
Registered on the app in starter.cli."""

from typing import Annotated

import typer
from pydantic import ValidationError

from domain.requests import CancellationReview, Resolution, ReviewDecision
from runtime.settings import Settings
from starter import render
from starter.client import OrdersClient
from starter.console import out
from starter.errors import CliError
from starter.guard import guarded
from starter.inputs import require_order_id, validation_message
from starter.render_order import RESOLVE_FLAGS

By = Annotated[str, typer.Option("--by", help="who decides; recorded on the order")]


def review(
    order_id: str,
    by: By,
    approve: Annotated[bool | None, typer.Option("--approve/--deny", help="approve or deny the request")] = None,
    request: Annotated[str | None, typer.Option(help="request id (default: the one awaiting review)")] = None,
    note: Annotated[str | None, typer.Option(help="why; a denial's note is told to the customer")] = None,
) -> None:
    """Approve or deny a cancellation request awaiting customer-service review; prints the outcome."""

    async def act() -> None:
        require_order_id(order_id)
        if approve is None:
            raise CliError("say what you decide: --approve or --deny")
        if request == "":
            # Not the one awaiting review: an unset shell variable must not approve some other request.
            raise CliError("--request is empty: name a request id, or leave --request out for the one awaiting review")
        orders = await OrdersClient.connect(Settings())
        request_id = request or await awaiting_review(orders, order_id)
        decision = ReviewDecision.APPROVE if approve else ReviewDecision.DENY
        try:
            message = CancellationReview(request_id=request_id, decision=decision, reviewer=by, note=note)
        except ValidationError as error:
            raise CliError(validation_message("review", error)) from None
        out.print(render.outcome(await orders.review(order_id, message)))

    guarded(act)


async def awaiting_review(orders: OrdersClient, order_id: str) -> str:
    view = await orders.status(order_id)
    record = view.under_review
    if record is None:
        raise CliError(f"order {order_id} has no cancellation request awaiting review (it is {view.status.value})")
    return record.request_id


WAYS_OUT = {flag: action for action, flag in RESOLVE_FLAGS.items()}


def resolve(
    order_id: str,
    by: By,
    retry: Annotated[bool, typer.Option("--retry", help="run the failed step again")] = False,
    store_credit: Annotated[
        bool, typer.Option("--store-credit", help="give the failed refund as store credit instead")
    ] = False,
    mark_resolved: Annotated[
        bool, typer.Option("--mark-resolved", help="a person has done the step outside the system")
    ] = False,
    note: Annotated[str | None, typer.Option(help="why; recorded in the order's timeline")] = None,
) -> None:
    """Take an order out of NEEDS_ATTENTION by one of the ways out `orders status` lists."""

    async def act() -> None:
        require_order_id(order_id)
        given = {"--retry": retry, "--store-credit": store_credit, "--mark-resolved": mark_resolved}
        chosen = [WAYS_OUT[flag] for flag, on in given.items() if on]
        if len(chosen) != 1:
            raise CliError(f"choose exactly one way out: {', '.join(WAYS_OUT)}")
        try:
            resolution = Resolution(action=chosen[0], by=by, note=note)
        except ValidationError as error:
            raise CliError(validation_message("resolution", error)) from None
        view = await (await OrdersClient.connect(Settings())).resolve(order_id, resolution)
        print(f"{resolution.action.value} by {by}: order {order_id} is now {view.status.value}")

    guarded(act)
