"""Search attributes that make every order findable in the Web UI, and keeping them current."""

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

with workflow.unsafe.imports_passed_through():
    from domain.lifecycle import OrderStatus
    from domain.order import Order
    from domain.placement import PlaceOrder
    from workflows import patches

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
CANCELLATION_REASON = SearchAttributeKey.for_keyword("CancellationReason")
NEEDS_ATTENTION = SearchAttributeKey.for_bool("NeedsAttention")
# PENDING_REVIEW or INTERCEPT_REQUESTED while a request waits for a person or the carrier; unset otherwise.
PENDING_CANCELLATION = SearchAttributeKey.for_keyword("PendingCancellation")

# On an order's OrderEventsWorkflow: the subscribers its events fail to reach (workflows.order_events).
WEBHOOK_FAILING = SearchAttributeKey.for_keyword_list("WebhookFailing")

ALL = (ORDER_STATUS, CUSTOMER_ID, CANCELLATION_REASON, NEEDS_ATTENTION, PENDING_CANCELLATION, WEBHOOK_FAILING)


def at_start(command: PlaceOrder) -> TypedSearchAttributes:
    """A placed order's search attributes, set with its start: the UI finds the order before its first
    workflow task runs, and the workflow does not upsert them again (one billed action less)."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(ORDER_STATUS, OrderStatus.PLACED.value),
            SearchAttributePair(CUSTOMER_ID, command.customer_id),
            SearchAttributePair(NEEDS_ATTENTION, False),
        ]
    )


class Publisher:
    """Operator visibility: publishes one order's search attributes from inside its workflow.

    `started_with` are the attributes the run already carries (set with its start, or carried over
    by a continue-as-new): only what differs from them is upserted."""

    def __init__(self, order: Order, started_with: TypedSearchAttributes | None = None) -> None:
        self._order = order
        self._published: dict[str, Any] = {pair.key.name: pair.value for pair in started_with or ()}

    def publish(self) -> None:
        """Keep the search attributes current, upserting only what changed."""
        order = self._order
        wanted: dict[str, Any] = {
            ORDER_STATUS.name: order.status.value,
            CUSTOMER_ID.name: order.customer_id,
            CANCELLATION_REASON.name: order.cancellation_reason.value if order.cancellation_reason else None,
            NEEDS_ATTENTION.name: order.needs_attention,
        }
        if workflow.patched(patches.PENDING_CANCELLATION_SEARCH_ATTRIBUTE):
            pending = order.open_request
            wanted[PENDING_CANCELLATION.name] = pending.outcome.value if pending else None
        changed = [
            key.value_set(wanted[key.name]) if wanted[key.name] is not None else key.value_unset()
            for key in ALL
            if key.name in wanted and self._published.get(key.name) != wanted[key.name]
        ]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._published = wanted
