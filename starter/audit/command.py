"""`orders audit [--json]`: registered on the app in starter.cli."""

from typing import Annotated

import typer

from runtime.settings import Settings
from starter.audit.render import report
from starter.audit.report import run_audit
from starter.console import out
from starter.guard import guarded


def audit(json: Annotated[bool, typer.Option("--json", help="the report as JSON")] = False) -> None:
    """Reconcile every order with the gateway, the inventory, the carrier and the mailbox; exits 1 on any violation."""

    async def act() -> None:
        result = await run_audit(Settings())
        if json:
            print(result.model_dump_json(indent=2))
        else:
            out.print(report(result))
        if not result.clean:
            raise typer.Exit(1)

    guarded(act)
