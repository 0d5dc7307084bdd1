"""The `status` query's order view keeps its documented JSON shape while the order holds its money in a Payment part."""

from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from domain.order import Order
from tests.unit.factories import Stage, at, order_at

# The view's keys as the README's contract has them (before the Payment part existed, too).
VIEW_KEYS = {
    "order_id", "customer_id", "customer_email", "status", "lines", "shipping_fee_minor", "currency",
    "total_minor", "window_closes_at", "authorization_id", "authorized_minor",
    "authorized_at", "reauthorizations", "payment", "captured_minor",
    "refunded_minor", "refund_pending_minor", "store_credit_minor", "stock", "shipment",
    "label_unconfirmed_units", "cancellation_reason", "attention", "cancellations", "timeline",
    "authorization_voided", "partially_cancelled",
}  # fmt: skip


def refunded_order() -> Order:
    order = order_at(Stage.CAPTURED)
    order.record_refund_started(500, at(20), "refund re_1")
    order.record_refund_settled(500, True, at(21), "refund re_1 succeeded")
    order.record_store_credit(300, at(22), "store credit sc_1")
    return order


def test_the_view_has_the_documented_keys_and_flat_payment_fields() -> None:
    view = refunded_order().model_dump(mode="json")

    assert set(view) == VIEW_KEYS
    assert (view["payment"], view["captured_minor"], view["refunded_minor"], view["store_credit_minor"]) == (
        "CAPTURED", 2499, 800, 300,
    )  # fmt: skip


def test_a_view_read_back_is_the_same_order_with_its_payment_part() -> None:
    order = refunded_order()

    again = Order.model_validate_json(order.model_dump_json())

    assert again == order
    assert again.money.refunded_minor == 800 and again.outstanding_minor == order.outstanding_minor


def test_the_view_crosses_temporals_data_converter_unchanged() -> None:
    order = refunded_order()
    converter = pydantic_data_converter.payload_converter

    (payload,) = converter.to_payloads([order])
    (again,) = converter.from_payloads([Payload.FromString(payload.SerializeToString())], [Order])

    assert again == order
