"""Customer data never reaches Temporal in clear: the server keeps ciphertext, the codec server decodes it for readers."""

import base64
import json
import re
import subprocess
from collections.abc import AsyncIterator

import pytest
from temporalio.api.history.v1 import History
from temporalio.client import Client

from runtime.codec import ENCODING
from starter.client import OrdersClient, workflow_id
from starter.inputs import DEMO_ADDRESS
from starter.system import System, temporal_binary
from tests.e2e.conftest import orders

pytestmark = pytest.mark.e2e

EMAIL = "privacy-check@example.com"
PAN = re.compile(rb"(?<!\d)\d{12,19}(?!\d)")  # a card number: 12 to 19 digits in a row


@pytest.fixture(scope="module")
async def shipped_order(system: System) -> AsyncIterator[str]:
    """An order whose history has been through payment, stock, mail and the carrier (all see personal data)."""
    placed = orders(system.settings, "place", "--customer", "privacy-check", "--sku", "MUG-BLUE:1:1250", "--window", "0")
    assert placed.returncode == 0, placed.stderr
    order_id = placed.stdout.strip()
    await (await OrdersClient.connect(system.settings)).wait_for(order_id, lambda o: o.shipment is not None)
    yield order_id


def show(system: System, order_id: str, *codec: str) -> dict:
    argv = [temporal_binary(), "workflow", "show", "--output", "json", "--workflow-id", workflow_id(order_id)]
    argv += ["--address", system.settings.temporal_address, "--namespace", system.settings.temporal_namespace, *codec]
    shown = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def started_input(history: dict) -> dict:
    payload = history["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]
    return {"encoding": base64.b64decode(payload["metadata"]["encoding"]), "data": base64.b64decode(payload["data"])}


async def test_the_servers_history_holds_no_email_address_or_card_in_clear(system: System, shipped_order: str) -> None:
    plain_client = await Client.connect(system.settings.temporal_address, namespace=system.settings.temporal_namespace)

    history = await plain_client.get_workflow_handle(workflow_id(shipped_order)).fetch_history()
    raw = History(events=history.events).SerializeToString()

    assert ENCODING in raw  # the payloads are there, encrypted
    for personal in (EMAIL, DEMO_ADDRESS.name, DEMO_ADDRESS.line1, DEMO_ADDRESS.postal_code):
        assert personal.encode() not in raw, f"{personal!r} is in the server's history in clear"
    # The order id is in clear by design (it names the workflow); 12 hex digits are all decimal
    # digits about once in 280 orders, which would look like a card number here.
    assert not PAN.search(raw.replace(shipped_order.encode(), b"<order id>"))


def test_the_temporal_cli_without_the_codec_sees_only_ciphertext(system: System, shipped_order: str) -> None:
    shown = started_input(show(system, shipped_order))

    assert shown["encoding"] == ENCODING
    assert EMAIL.encode() not in shown["data"]


def test_the_temporal_cli_decodes_the_history_through_the_codec_server(system: System, shipped_order: str) -> None:
    shown = started_input(show(system, shipped_order, "--codec-endpoint", system.codec_url))

    assert shown["encoding"] == b"json/plain"
    command = json.loads(shown["data"])
    assert (command["customer_email"], command["shipping_address"]["line1"]) == (EMAIL, DEMO_ADDRESS.line1)
    assert command["payment_method"].startswith("pm_")
