"""Orders already in flight must survive a change to the workflow code.

Each file in histories/ is the real history of one scenario's order (and of orders still
open: in SHIPPED, in a review), recorded by `make histories`, decoded through the codec server
(record.py), so it replays with the plain pydantic converter and needs no encryption key. Replaying it on the current
OrderWorkflow fails with a non-determinism error when a change would break such an order
on a worker running the new code. When the change is intended and no old order can be
in flight, re-record with `make histories`; otherwise guard it with `workflow.patched`.
earlier/<date>/ keeps the histories an earlier release recorded: a change guarded by
`workflow.patched` must still replay them, as the orders that release left in flight.
"""

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from domain.order_events import events_workflow_id
from starter.client import workflow_id
from tests.replay.record import EVENTS
from workflows.order import OrderWorkflow
from workflows.order_events import OrderEventsWorkflow

HERE = Path(__file__).parent
HISTORIES = sorted((HERE / "histories").glob("*.json")) + sorted((HERE / "earlier").glob("*/*.json"))
STILL_RUNNING = "open_"


def recorded(path: Path) -> WorkflowHistory:
    """The history under its own workflow id: the order's, or its event delivery's (from the order id in its input)."""
    text = path.read_text()
    started = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]
    order_id = json.loads(base64.b64decode(started["input"]["payloads"][0]["data"]))["order_id"]
    named = events_workflow_id(order_id) if path.stem.startswith(EVENTS) else workflow_id(order_id)
    return WorkflowHistory.from_json(named, text)


def name_of(path: Path) -> str:
    return str(path.relative_to(HERE).with_suffix(""))


def test_histories_are_recorded_including_orders_still_in_flight() -> None:
    names = [path.stem for path in HISTORIES if path.parent.name == "histories"]

    assert names, "no histories: run `make histories`"
    assert any(name.startswith(STILL_RUNNING) for name in names), f"no open order among {names}"


@pytest.mark.parametrize("path", HISTORIES, ids=[name_of(path) for path in HISTORIES])
async def test_recorded_order_replays_on_the_current_workflow_code(path: Path) -> None:
    replayer = Replayer(workflows=[OrderWorkflow, OrderEventsWorkflow], data_converter=pydantic_data_converter)

    result = await replayer.replay_workflow(recorded(path), raise_on_replay_failure=False)

    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
