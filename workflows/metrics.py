"""The business's metrics, emitted from inside the order workflow through the replay-safe meter.

`workflow.metric_meter()` records nothing while a worker replays history, so each fact is counted
by the worker that first executes it (a task retried on another worker after a crash may count it
once more: these are operational numbers, not the ledger). The facts come from domain.measures,
read after every change of the order (OrderContext.publish), and only what is new is counted.

Orders in NEEDS_ATTENTION and requests awaiting review are not counted here: a count kept up and
down by workflows is wrong after worker restarts, so the worker sets those gauges from the
visibility store instead (runtime/order_gauges.py).
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.measures import Reading
    from domain.order import Order

PLACED = "orders_placed"
CANCELLATIONS = "orders_cancellations"
MONEY_BACK = "orders_money_back_minor"
COMPENSATION_LATENCY = "orders_compensation_latency"


class OrderMetrics:
    """Counts one order's new facts each time it is observed."""

    def __init__(self, order: Order) -> None:
        self._order = order
        meter = workflow.metric_meter()
        self._placed = meter.create_counter(PLACED, "orders placed")
        self._cancellations = meter.create_counter(CANCELLATIONS, "final answers to cancellation requests")
        self._money_back = meter.create_counter(MONEY_BACK, "money given back, in minor units of the currency", "minor")
        self._latency = meter.create_histogram_timedelta(
            COMPENSATION_LATENCY, "workflow time from accepting a cancellation to the order CANCELLED"
        )
        # A run continued from an earlier one has counted what its order carries already.
        self._counted = Reading.nothing() if workflow.info().continued_run_id is None else Reading.of(order)
        self._placed_counted = workflow.info().continued_run_id is not None

    def observe(self) -> None:
        """Count what happened to the order since the last look."""
        order, before = self._order, self._counted
        now = Reading.of(order)
        if not self._placed_counted:
            self._placed.add(1, {"currency": order.currency})
            self._placed_counted = True
        for answer in now.new_answers(before):
            attributes = {"reason": answer.reason.value, "stage": answer.stage.value, "outcome": answer.outcome.value}
            self._cancellations.add(1, attributes)
        for destination, amount in now.money_back_since(before).items():
            self._money_back.add(amount, {"currency": order.currency, "destination": destination.value})
        if before.compensation_time is None and now.compensation_time is not None:
            self._latency.record(now.compensation_time)
        self._counted = now
