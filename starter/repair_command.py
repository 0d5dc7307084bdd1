"""`orders repair`: reset each order stuck on a nondeterminism error to do again the task that does not replay."""

from typing import Annotated

import typer

from runtime.settings import Settings
from starter.client import OrdersClient, workflow_id
from starter.client_errors import translated
from starter.console import out
from starter.guard import guarded
from starter.inputs import require_order_id
from starter.repair import Repair, repair, stuck_orders, unreplayable_orders


def repair_orders(
    order_ids: Annotated[list[str] | None, typer.Argument(help="orders to repair (default: every stuck order)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say where each would be reset, reset nothing")] = False,
    query_running: Annotated[
        bool, typer.Option("--query-running", help="also query every running order: finds those waiting, with no task to fail")
    ] = False,
) -> None:
    """Find orders whose history the workers cannot replay, and reset each to do again its first task that does not.

    Exits 1 when an order is stuck and cannot be reset (its very first task does not replay)."""

    async def act() -> None:
        for order_id in order_ids or []:
            require_order_id(order_id)
        orders = await OrdersClient.connect(Settings())
        if order_ids:
            repairs = []
            for order_id in order_ids:
                async with translated(order_id, orders.address):  # an unknown order is one line
                    repairs.append(await repair(orders.client, workflow_id(order_id), dry_run=dry_run))
        else:
            stuck = set(await stuck_orders(orders.client))
            stuck |= set(await unreplayable_orders(orders.client)) if query_running else set()
            repairs = [await repair(orders.client, wid, dry_run=dry_run) for wid in sorted(stuck)]
        if not repairs:
            out.print("no order is stuck on a nondeterminism error")
            return
        for done in repairs:
            out.print(told(done, dry_run))
        if any(done.problem and done.reset_to is None for done in repairs):
            raise typer.Exit(1)

    guarded(act)


def told(done: Repair, dry_run: bool) -> str:
    if not done.problem:
        return f"{done.workflow_id}: replays on this code; nothing to repair"
    if done.reset_to is None:
        return f"{done.workflow_id}: cannot be reset, its first workflow task does not replay: {done.problem}"
    action = "would be reset" if dry_run else f"reset (new run {done.new_run_id})"
    redo = f"to do again the task completed at event {done.reset_to}"
    return f"{done.workflow_id}: {action} {redo}; it had failed with: {done.problem}"
