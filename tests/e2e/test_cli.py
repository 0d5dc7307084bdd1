"""`orders` as a user meets it: bad input gets one clear line and a non-zero exit, never a traceback."""

import json
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from domain.lifecycle import OrderStatus, StockState
from domain.order import Order
from domain.shipment import ShipmentEventType
from starter.client import OrdersClient
from starter.inputs import order_from_flags
from starter.system import System
from tests.e2e.conftest import isolated_settings, orders

pytestmark = pytest.mark.e2e


def assert_one_line_error(result, expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert expected in result.stderr


def test_status_of_an_unknown_order_says_it_is_not_found(system: System) -> None:
    result = orders(system.settings, "status", "nope")

    assert_one_line_error(result, "order nope not found")


def test_a_command_without_temporal_says_how_to_start_it(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)  # free ports: nothing listens there

    result = orders(settings, "status", "nope")

    assert_one_line_error(result, f"cannot reach Temporal at {settings.temporal_address}: start it with `make run`")


def test_a_command_without_encryption_keys_says_how_to_configure_them(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path).model_copy(update={"codec_keys": ""})

    result = orders(settings, "status", "nope")

    assert_one_line_error(result, f"no encryption keys: {settings.codec_keys_file} does not exist; set ORDERS_CODEC_KEYS=")


def test_an_order_file_that_is_not_json_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    broken = tmp_path / "order.json"
    broken.write_text('{"customer_id": "c1",')

    result = orders(isolated_settings(tmp_path), "place", "--file", str(broken))

    assert_one_line_error(result, "is not valid JSON")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("cancel", "x1", "--reason", "WHIM"), "unknown reason 'WHIM'"),
        (("cancel", "x1", "--reason", "CUSTOMER", "--by", "boss"), "unknown requester"),
        (("cancel", "x1"), "Missing option '--reason'"),
        (("cancel", "x1", "--reason", "CUSTOMER", "--request-id", ""), "invalid cancellation: request_id"),
        (("event", "x1", "LOST"), "unknown shipment event 'LOST'"),
        (("place", "--sku", "MUG:two:100"), "expected SKU:QTY:PRICE"),
        (("place", "--sku", "MUG:1:100", "--card", "4242424242424242"), "payment_method: Value error, a card number is never"),
        (("place", "--sku", "MUG:1:100", "--window", "-5"), "invalid --window -5.0: a number of seconds from 0"),
        (("place", "--sku", "MUG:1:100", "--window", "nan"), "invalid --window nan: a number of seconds from 0"),
        (("place", "--sku", "MUG:1:100", "--window", "1e30"), "invalid --window 1e+30: a number of seconds from 0"),
        (("scenario", "no_such_scenario"), "unknown scenario 'no_such_scenario'"),
        (("status", ""), "order id must not be empty"),
        (("status", "  "), "order id must not be empty"),
        (("cancel", "", "--reason", "CUSTOMER"), "order id must not be empty"),
        (("cancel", " ", "--reason", "FRAUD", "--signal"), "order id must not be empty"),
        (("event", "", "PICKED_UP"), "order id must not be empty"),
        (("mail", "--order", ""), "order id must not be empty"),
    ],
)
def test_malformed_input_gets_one_line_naming_the_problem(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    result = orders(isolated_settings(tmp_path), *args)

    assert_one_line_error(result, expected)


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({"ORDERS_SMTP_PORT": "abc"}, ("status", "x1"), "invalid setting ORDERS_SMTP_PORT='abc': "),
        ({"ORDERS_LOG_FORMAT": "xml"}, ("place", "--sku", "MUG:1:100"), "invalid setting ORDERS_LOG_FORMAT='xml': "),
        ({"ORDERS_TEMPORAL_ADDRESS": "256.0.0.1:7233"}, ("status", "x1"), "invalid ORDERS_TEMPORAL_ADDRESS"),
        ({"ORDERS_TEMPORAL_ADDRESS": "no-port"}, ("run",), "invalid ORDERS_TEMPORAL_ADDRESS 'no-port': expected host:port"),
        ({"ORDERS_TEMPORAL_UI_PORT": "99999"}, ("run",), "invalid ORDERS_TEMPORAL_UI_PORT: 99999 is not a port"),
    ],
)
def test_a_malformed_setting_is_named_in_one_line(tmp_path: Path, env: dict[str, str], args, expected: str) -> None:
    settings = isolated_settings(tmp_path)

    result = orders(settings, *args, env=env)

    assert_one_line_error(result, expected)
    assert not (settings.var_dir / "temporal.log").exists()


async def test_a_query_no_worker_answers_says_the_worker_is_not_running(system: System) -> None:
    unserved = system.settings.model_copy(update={"task_queue": "no-worker-polls-this"})
    placed = orders(unserved, "place", "--sku", "MUG-BLUE:1:1250")
    order_id = placed.stdout.strip()

    try:
        result = orders(unserved, "status", order_id)
    finally:
        # Ended, so that `orders list --needs-review` in later tests does not wait for it too.
        await (await OrdersClient.connect(system.settings)).handle(order_id).terminate()

    assert placed.returncode == 0, placed.stderr
    assert_one_line_error(result, f"no worker answered for order {order_id}")


async def test_a_signalled_cancel_without_a_worker_says_it_is_recorded_and_decided_later(system: System) -> None:
    unserved = system.settings.model_copy(update={"task_queue": "no-worker-polls-this"})
    placed = orders(unserved, "place", "--sku", "MUG-BLUE:1:1250")
    order_id = placed.stdout.strip()
    handle = (await OrdersClient.connect(system.settings)).handle(order_id)

    try:
        result = orders(unserved, "cancel", order_id, "--reason", "FRAUD", "--signal", "--request-id", "sig-1")
        history = await handle.fetch_history()
    finally:
        await handle.terminate()  # as in the test above: not left for later tests to wait on

    assert placed.returncode == 0, placed.stderr
    assert result.returncode == 0, result.stderr
    assert f"cancellation request sig-1 recorded on order {order_id}" in result.stdout
    assert "decided when a worker picks the order up" in result.stdout
    signals = [
        e.workflow_execution_signaled_event_attributes
        for e in history.events
        if e.HasField("workflow_execution_signaled_event_attributes")
    ]
    assert [signal.signal_name for signal in signals] == ["request_cancellation"]


async def test_an_order_placed_and_cancelled_from_the_command_line(system: System) -> None:
    placed = orders(system.settings, "place", "--sku", "MUG-BLUE:1:1250", "--window", "120")
    order_id = placed.stdout.strip()

    cancelled = orders(system.settings, "cancel", order_id, "--reason", "customer", "--request-id", "cli-1")
    client = await OrdersClient.connect(system.settings)
    await client.wait_for(order_id, lambda o: o.status is OrderStatus.CANCELLED)
    shown = orders(system.settings, "status", order_id, "--json")
    listed = orders(system.settings, "list", "--status", "CANCELLED")

    assert placed.returncode == 0, placed.stderr
    assert cancelled.returncode == 0 and "ACCEPTED" in cancelled.stdout, cancelled.stderr
    view = Order.model_validate(json.loads(shown.stdout))
    assert (view.status, view.cancellations[0].request_id) == (OrderStatus.CANCELLED, "cli-1")
    assert order_id in listed.stdout


@pytest.mark.parametrize(
    ("what", "occupy"),
    [
        ("Temporal", lambda port: {"temporal_address": f"127.0.0.1:{port}"}),
        ("Temporal Web UI", lambda port: {"temporal_ui_port": port}),
        ("sandbox HTTP", lambda port: {"sandbox_url": f"http://127.0.0.1:{port}"}),
        ("sandbox SMTP", lambda port: {"smtp_port": port}),
        ("worker-1 metrics", lambda port: {"metrics_port": port}),
    ],
)
def test_orders_run_names_a_taken_port_before_starting_anything(tmp_path: Path, what: str, occupy) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        settings = isolated_settings(tmp_path).model_copy(update=occupy(port))

        result = orders(settings, "run")

    assert_one_line_error(result, f"port {port} ({what}) is already in use on 127.0.0.1")
    assert not (settings.var_dir / "temporal.log").exists()


def test_orders_run_refuses_an_ipv6_temporal_address_its_dev_server_cannot_serve(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    port = settings.temporal_address.rsplit(":", 1)[1]
    ipv6 = settings.model_copy(update={"temporal_address": f"[::1]:{port}"})

    result = orders(ipv6, "run")

    assert_one_line_error(result, f"invalid ORDERS_TEMPORAL_ADDRESS '[::1]:{port}': the Temporal dev server")
    assert f"use 127.0.0.1:{port}" in result.stderr
    assert not (settings.var_dir / "temporal.log").exists()


def test_orders_run_names_the_setting_whose_host_does_not_resolve(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path).model_copy(update={"temporal_address": "no-such-host.invalid:7233"})

    result = orders(settings, "run")

    assert_one_line_error(result, "invalid ORDERS_TEMPORAL_ADDRESS host 'no-such-host.invalid': it does not resolve")
    assert not (settings.var_dir / "temporal.log").exists()


async def test_a_cancellation_from_the_command_line_carries_its_flags_to_the_order(system: System) -> None:
    placed = orders(system.settings, "place", "--file", str(order_file(system)))
    order_id = placed.stdout.strip()
    client = await OrdersClient.connect(system.settings)
    await client.wait_for(order_id, lambda o: o.window_closes_at is not None)  # confirmed, told once

    cancelled = orders(
        system.settings, "cancel", order_id, "--reason", "staff", "--by", "customer_service",
        "--no-restock", "--no-notify", "--note", "damaged in the warehouse",
    )
    order = Order.model_validate(await client.handle(order_id).result())  # ends once every message is sent
    mail = orders(system.settings, "mail", "--order", order_id)

    assert placed.returncode == 0 and cancelled.returncode == 0, placed.stderr + cancelled.stderr
    record = order.cancellations[0]
    assert (record.restock, record.notify_customer, record.note) == (False, False, "damaged in the warehouse")
    assert order.stock is StockState.QUARANTINED
    assert mail.returncode == 0 and "CONFIRMATION" in mail.stdout and "CANCELLATION" not in mail.stdout


async def test_a_scan_from_the_command_line_moves_the_order_on(system: System) -> None:
    order_id = orders(system.settings, "place", "--sku", "MUG-BLUE:1:1250", "--window", "0").stdout.strip()
    client = await OrdersClient.connect(system.settings)
    await client.wait_for(order_id, lambda o: o.shipment is not None)

    scanned = orders(system.settings, "event", order_id, "PICKED_UP")
    order = await client.wait_for(order_id, lambda o: o.status is OrderStatus.SHIPPED)

    assert scanned.returncode == 0, scanned.stderr
    assert order.shipment is not None and order.shipment.last_event is ShipmentEventType.PICKED_UP


def order_file(system: System) -> Path:
    """A PlaceOrder as JSON, as a storefront would hand it over."""
    command = order_from_flags(
        customer="cli-file", skus=["MUG-BLUE:1:1250"], card="pm_card_visa", currency="EUR", fee=0, window=600.0
    )
    command = command.model_copy(update={"policy": command.policy.model_copy(update={"answer_period": timedelta(0)})})
    path = system.settings.var_dir / f"{command.order_id}.json"
    path.write_text(command.model_dump_json())
    return path
