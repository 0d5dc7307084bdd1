"""`run_audit(settings)`: gather every store's facts, judge them (domain.audit), and report."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from pydantic import BaseModel
from temporalio.service import RPCError

from domain.audit import audit, unknown_orders
from domain.audit_facts import OrderFacts, Rule, Violation
from domain.units import ReservedUnits
from runtime.settings import Settings
from starter.audit.carrier import read_parcels
from starter.audit.gateway import read_credits, read_intents
from starter.audit.inventory import read_inventory
from starter.audit.mailbox import read_mail
from starter.audit.temporal import Seen, read_orders
from starter.client import OrdersClient

# The stores are read one after the other while orders move on: an order can be seen in one store a
# step ahead of another (a message filed just before the order records it sent). A violation counts
# only if a second reading, this much later, still shows it.
SECOND_LOOK = timedelta(seconds=1)
# How long the second look waits for the steps in flight of the orders the first look doubted.
SETTLE = timedelta(seconds=120)


class AuditReport(BaseModel):
    """How many orders were checked, in which statuses, and every violation found (none: clean)."""

    orders: int
    statuses: dict[str, int]
    rules: dict[str, int]
    violations: list[Violation]
    clean: bool

    @classmethod
    def of(cls, seen: list[Seen], violations: list[Violation]) -> "AuditReport":
        statuses = Counter(str(s.view.status) if s.view else "UNKNOWN" for s in seen)
        per_rule = Counter(violation.rule for violation in violations)
        return cls(
            orders=len(seen),
            statuses=dict(sorted(statuses.items())),
            rules={rule.value: per_rule[rule] for rule in Rule},
            violations=violations,
            clean=not violations,
        )


async def run_audit(settings: Settings, *, second_look: timedelta = SECOND_LOOK) -> AuditReport:
    """Audit every order of the system `settings` describe; violations are those seen twice."""
    orders = await OrdersClient.connect(settings)
    seen, first = await _look(orders, settings)
    if not first:
        return AuditReport.of(seen, [])
    await asyncio.sleep(second_look.total_seconds())
    await _settled(orders, {v.order_id for v in first if v.order_id})
    seen, second = await _look(orders, settings)
    before = {(v.order_id, v.rule) for v in first}
    return AuditReport.of(seen, [v for v in second if (v.order_id, v.rule) in before])


async def _settled(orders: OrdersClient, order_ids: set[str]) -> None:
    """Wait (up to SETTLE) until no step of these orders is in flight and no workflow task waits: a
    step whose worker died is retried only after its timeout (a mail after 45 s), a run just reset
    (orders repair) does its steps again, and until their answers are recorded the order's view
    may rightly trail a store (the mailbox has the message, the view has not recorded it sent)."""
    deadline = asyncio.get_running_loop().time() + SETTLE.total_seconds()
    for order_id in sorted(order_ids):
        handle = orders.handle(order_id)
        while asyncio.get_running_loop().time() < deadline:
            try:
                described = await handle.describe()
            except RPCError:
                break  # an order the server does not know: the second look says so
            raw = described.raw_description
            if not raw.pending_activities and not raw.HasField("pending_workflow_task"):
                break
            await asyncio.sleep(0.5)


async def _look(orders: OrdersClient, settings: Settings) -> tuple[list[Seen], list[Violation]]:
    """One reading of every store (Temporal first, so a store can only be ahead of the view), judged."""
    seen = await read_orders(orders)
    async with httpx.AsyncClient(base_url=settings.sandbox_url, timeout=30) as http:
        intents, credits = await read_intents(http), await read_credits(http)
        parcels, mail = await read_parcels(http), await read_mail(http)
    skus, rows = await read_inventory(settings.inventory_db_url)
    units: dict[str, dict[str, ReservedUnits]] = {}
    for order_id, sku, held in rows:
        units.setdefault(order_id, {})[sku] = held
    facts = [
        OrderFacts(
            order_id=s.order_id, view=s.view, unseen=s.unseen, listed_status=s.listed_status, running=s.running,
            started=s.started, policy=s.policy, intents=intents.get(s.order_id, []), credits=credits.get(s.order_id, []),
            units=units.get(s.order_id, {}), parcels=parcels.get(s.order_id, []), mail=mail.get(s.order_id, []),
        )
        for s in seen
    ]
    violations = audit(facts, skus, [(sku, held) for _, sku, held in rows], datetime.now(UTC))
    recorded = set(intents) | set(credits) | set(units) | set(parcels) | set(mail)
    return seen, violations + unknown_orders({s.order_id for s in seen}, recorded)

