"""What the Web UI says of an order: amounts in the currency's unit, and no personal data."""

from activities.payment import CapturePayment
from domain import story
from tests.unit.factories import Stage, order_at, place_order


def test_the_summary_names_the_order_its_customer_lines_and_total_and_no_personal_data() -> None:
    command = place_order(order_id="A1")

    said = story.summary(command) + story.details(command)

    assert "order A1" in said and f"customer {command.customer_id}" in said
    assert command.customer_email not in said and command.shipping_address.line1 not in said


def test_an_activity_is_told_with_its_amount_in_the_currencys_unit() -> None:
    capture = CapturePayment(order_id="A1", authorization_id="pi_1", amount_minor=3749, idempotency_key="k")

    assert story.activity("capture_payment", capture, "EUR") == "capture 37.49 EUR"
    assert story.activity("create_shipment", object(), "EUR") == "buy the label"


def test_the_current_details_tell_the_status_and_the_money() -> None:
    order = order_at(Stage.CAPTURED)

    told = story.current(order)

    assert told.startswith(f"**{order.status.value}**") and f"captured {order.told(order.captured_minor)}" in told
