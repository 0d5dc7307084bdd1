"""The order commands of `orders`: place, cancel, event, mail. Registered on the app in starter.cli."""

from pathlib import Path
from typing import Annotated

import typer

from domain.shipment import ShipmentEvent, ShipmentEventType
from runtime.settings import Settings
from starter import inputs, render
from starter.client import OrdersClient
from starter.console import out
from starter.errors import NoWorker
from starter.guard import guarded


def place(
    customer: Annotated[str, typer.Option(help="customer id")] = "demo-customer",
    sku: Annotated[list[str] | None, typer.Option(help="SKU:QTY:PRICE in cents, repeatable")] = None,
    card: Annotated[str, typer.Option(help="the gateway's card token; pm_card_chargeDeclined is declined")] = "pm_card_visa",
    currency: Annotated[str, typer.Option()] = "EUR",
    fee: Annotated[int, typer.Option(help="shipping fee in cents")] = 0,
    window: Annotated[float | None, typer.Option(help="free-cancellation window in seconds")] = None,
    file: Annotated[Path | None, typer.Option(help="a PlaceOrder as JSON")] = None,
) -> None:
    """Place an order; prints its id."""

    async def act() -> None:
        if file is not None:
            command = inputs.order_from_file(file)
        else:
            command = inputs.order_from_flags(
                customer=customer, skus=sku or [], card=card, currency=currency, fee=fee, window=window
            )
        orders = await OrdersClient.connect(Settings())
        print(await orders.place(command))

    guarded(act)


def cancel(
    order_id: str,
    reason: Annotated[str, typer.Option(help="CUSTOMER, DECLINED, FRAUD, INVENTORY, STAFF or OTHER")],
    by: Annotated[str, typer.Option(help="customer, customer_service or system")] = "customer",
    restock: Annotated[bool, typer.Option("--restock/--no-restock")] = True,
    notify: Annotated[bool, typer.Option("--notify/--no-notify")] = True,
    line: Annotated[list[str] | None, typer.Option(help="SKU:QTY to cancel only part of the order, repeatable")] = None,
    refund_to: Annotated[str, typer.Option(help="where money goes back: original or store-credit")] = "original",
    note: Annotated[str | None, typer.Option(help="staff note")] = None,
    request_id: Annotated[str | None, typer.Option(help="makes the request idempotent")] = None,
    signal: Annotated[bool, typer.Option("--signal", help="send a signal instead of an update")] = False,
) -> None:
    """Ask to cancel an order, or --line by line part of it; prints the outcome (or, with --signal, the status)."""

    async def act() -> None:
        inputs.require_order_id(order_id)
        request = inputs.cancellation(
            reason=reason, by=by, restock=restock, notify=notify, note=note, request_id=request_id,
            lines=line, refund_to=refund_to,
        )
        orders = await OrdersClient.connect(Settings())
        if not signal:
            out.print(render.outcome(await orders.cancel(order_id, request)))
            return
        await orders.signal_cancel(order_id, request)
        # A signal has no answer: show the order once it has recorded the request (or as it is now).
        try:
            try:
                view = await orders.wait_for(order_id, lambda o: o.cancellation(request.request_id) is not None)
            except TimeoutError:
                view = await orders.status(order_id)
        except NoWorker:
            # The server took the signal into the order's history: not a failure, only not decided yet.
            out.print(render.signal_recorded(order_id, request.request_id))
            return
        out.print(render.order(view))

    guarded(act)


EVENTS = "|".join(kind.value for kind in ShipmentEventType)


def event(order_id: str, kind: Annotated[str, typer.Argument(metavar=EVENTS)]) -> None:
    """Report a carrier scan, or the carrier's answer to an intercept, to an order (as the carrier's webhook does)."""

    async def act() -> None:
        inputs.require_order_id(order_id)
        scan = ShipmentEvent(type=inputs.choice(ShipmentEventType, kind, "shipment event"))
        await (await OrdersClient.connect(Settings())).event(order_id, scan)
        print(f"{scan.type.value} sent to order {order_id}")

    guarded(act)


def mail(order: Annotated[str | None, typer.Option(help="only this order's messages")] = None) -> None:
    """Show the messages the customer received (the sandbox mailbox)."""
    from starter.standins import fetch_mail

    async def act() -> None:
        if order is not None:
            inputs.require_order_id(order)  # '' would list every order's mail
        out.print(render.mail(await fetch_mail(Settings(), order)))

    guarded(act)
