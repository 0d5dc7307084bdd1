import dataclasses
import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from temporalio import activity, workflow
from temporalio.testing import ActivityEnvironment

from runtime.logs import configure_logging
from runtime.settings import Settings


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    workflow.logger.workflow_info_on_message = True
    activity.logger.activity_info_on_message = True


def json_logging(level: str = "INFO") -> io.StringIO:
    out = io.StringIO()
    configure_logging(Settings(log_format="json", log_level=level), service="worker", stream=out)
    return out


def lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_workflow_logger_record_renders_as_json_with_order_id():
    out = json_logging()
    details = {"workflow_id": "order-A1", "run_id": "r1", "workflow_type": "OrderWorkflow"}

    logging.getLogger("temporalio.workflow").info("payment authorized", extra={"temporal_workflow": details})

    [line] = lines(out)
    assert line["event"] == "payment authorized"
    assert line["order_id"] == "A1"
    assert line["workflow_id"] == "order-A1"
    assert line["workflow_type"] == "OrderWorkflow"
    assert line["service"] == "worker"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")


def test_activity_logger_record_carries_workflow_and_order_id():
    out = json_logging()
    details = {"activity_type": "capture_payment", "workflow_id": "order-B7", "attempt": 2}

    logging.getLogger("temporalio.activity").warning("retrying", extra={"temporal_activity": details})

    [line] = lines(out)
    assert (line["order_id"], line["activity_type"], line["attempt"]) == ("B7", "capture_payment", 2)


def test_structlog_event_carries_bound_contextvars_and_derives_order_id():
    out = json_logging()
    structlog.contextvars.bind_contextvars(workflow_id="order-C3")

    structlog.get_logger("starter").info("placed", total_minor=1250)

    [line] = lines(out)
    assert (line["order_id"], line["total_minor"], line["service"]) == ("C3", 1250, "worker")


async def test_structlog_event_inside_an_activity_carries_its_order_id():
    out = json_logging()

    @activity.defn
    async def reserve_stock() -> None:
        structlog.get_logger().info("reserved")

    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id="order-A1", activity_type="reserve_stock")

    await env.run(reserve_stock)

    [line] = lines(out)
    assert (line["order_id"], line["activity_type"]) == ("A1", "reserve_stock")


def test_explicit_order_id_is_not_overwritten_by_the_workflow_id():
    out = json_logging()
    structlog.contextvars.bind_contextvars(order_id="explicit")

    logging.getLogger("x").info("m", extra={"temporal_workflow": {"workflow_id": "order-other"}})

    assert lines(out)[0]["order_id"] == "explicit"


def test_workflow_id_without_the_order_prefix_gets_no_order_id():
    out = json_logging()

    logging.getLogger("x").info("m", extra={"temporal_workflow": {"workflow_id": "load-run-7"}})

    assert "order_id" not in lines(out)[0]


def test_configuring_twice_does_not_duplicate_lines():
    json_logging()
    out = json_logging()

    logging.getLogger("temporalio").info("once")

    assert len(lines(out)) == 1


def test_records_below_the_configured_level_are_dropped():
    out = json_logging(level="warning")

    logging.getLogger("uvicorn").info("quiet")
    structlog.get_logger().debug("quiet too")
    logging.getLogger("uvicorn").error("loud")

    assert [line["event"] for line in lines(out)] == ["loud"]


def test_exceptions_are_rendered_into_the_json_line():
    out = json_logging()

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("x").exception("failed")

    assert "RuntimeError: boom" in lines(out)[0]["exception"]


def test_console_format_renders_readable_lines_with_the_order_id():
    out = io.StringIO()
    configure_logging(Settings(log_format="console"), service="sandbox", stream=out)

    logging.getLogger("x").info("hello", extra={"temporal_workflow": {"workflow_id": "order-D4"}})

    text = out.getvalue()
    assert "hello" in text and "order_id" in text and "D4" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_auto_format_writes_json_when_the_stream_is_not_a_terminal():
    out = io.StringIO()
    configure_logging(Settings(log_format="auto"), service="worker", stream=out)

    logging.getLogger("x").info("piped")

    assert lines(out)[0]["event"] == "piped"


def test_unknown_level_is_refused_with_a_message():
    with pytest.raises(ValueError, match="ORDERS_LOG_LEVEL"):
        configure_logging(Settings(log_level="LOUD"), service="worker", stream=io.StringIO())
