"""The audit's rules of messages: what the mailbox holds for one order, against its outcomes."""

from collections import Counter

from domain.audit_facts import OrderFacts, Rule, Violation
from domain.lifecycle import OrderStatus
from domain.messages import MessageKind
from domain.order import Order

# Kinds an order sends at most once whatever its requests: it is confirmed once and cancelled once.
ONCE_PER_ORDER = (MessageKind.CONFIRMATION, MessageKind.CANCELLATION)


def _timeline_kinds(view: Order, event: str) -> Counter[str]:
    """Kinds the order's timeline says were sent (MESSAGE_SENT) or refused (MESSAGE_UNDELIVERABLE)."""
    return Counter(entry.detail.split(" ", 1)[0].rstrip(":") for entry in view.timeline if entry.event == event)


def _confirmed(view: Order) -> bool:
    """The confirmation is a forward step, not a notice: CONFIRMED in the timeline says it was sent."""
    return any(entry.event == OrderStatus.CONFIRMED.value for entry in view.timeline)


def no_duplicates(facts: OrderFacts) -> list[Violation]:
    """One message per outcome: never two confirmations or cancellations, never two of another kind
    for one request (or one escalation topic)."""
    counted = Counter((m.kind, None if m.kind in ONCE_PER_ORDER else m.request_id) for m in facts.mail)
    found = [
        f"{count} {kind} messages" + (f" for request {request}" if request else "")
        for (kind, request), count in sorted(counted.items(), key=str)
        if count > 1
    ]
    return [Violation(order_id=facts.order_id, rule=Rule.ONE_MESSAGE_PER_OUTCOME, detail=d) for d in found]


def outcomes_told(facts: OrderFacts, view: Order) -> list[Violation]:
    """A confirmed order was told so once, a cancelled one once, unless the customer could not be
    reached or asked not to be told."""
    per_kind = Counter(message.kind for message in facts.mail)
    refused = _timeline_kinds(view, "MESSAGE_UNDELIVERABLE")
    silent = any(not record.notify_customer for record in view.cancellations)
    owed = {
        MessageKind.CONFIRMATION: _confirmed(view),
        MessageKind.CANCELLATION: view.status is OrderStatus.CANCELLED and not silent,
    }
    found = [
        f"{kind} owed and not in the mailbox"
        for kind, due in owed.items()
        if due and per_kind[kind.value] == 0 and refused[kind.value] == 0
    ]
    return [Violation(order_id=facts.order_id, rule=Rule.ONE_MESSAGE_PER_OUTCOME, detail=d) for d in found]


def mail_agrees(facts: OrderFacts, view: Order) -> list[str]:
    """The messages the order's timeline says it sent are the ones in the mailbox, kind by kind."""
    sent = _timeline_kinds(view, "MESSAGE_SENT") + Counter({MessageKind.CONFIRMATION.value: int(_confirmed(view))})
    filed = Counter(message.kind or "?" for message in facts.mail)
    return [
        f"view sent {sent[kind]} {kind}, the mailbox has {filed[kind]}"
        for kind in sorted(set(sent) | set(filed))
        if sent[kind] != filed[kind]
    ]
