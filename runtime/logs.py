"""One log stream per process: structlog events and stdlib records (temporalio, uvicorn) alike."""

import logging
import sys
from typing import TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger
from temporalio import activity, workflow

from runtime.settings import Settings

# Workflow ids are "order-<order_id>", so every Temporal record can be found by order id.
WORKFLOW_ID_PREFIX = "order-"

# temporalio's LoggerAdapters put their context on the LogRecord under these `extra` keys.
_TEMPORAL_EXTRAS = ("temporal_workflow", "temporal_activity")


def lift_temporal_ids(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Copy the Temporal context into fields and derive order_id from the workflow id.

    The context comes from temporalio's record extras, or else from the running activity.

    Values bound explicitly by the caller win (setdefault), so a bound order_id is never
    overwritten by one guessed from the workflow id.
    """
    record = event_dict.get("_record")
    for key in _TEMPORAL_EXTRAS:
        details = getattr(record, key, None)
        if isinstance(details, dict):
            for name, value in details.items():
                event_dict.setdefault(name, value)
    if "workflow_id" not in event_dict and activity.in_activity():
        # structlog calls inside an activity get the same ids as activity.logger would.
        info = activity.info()
        event_dict["workflow_id"] = info.workflow_id
        event_dict.setdefault("activity_type", info.activity_type)
    workflow_id = event_dict.get("workflow_id")
    if isinstance(workflow_id, str) and workflow_id.startswith(WORKFLOW_ID_PREFIX):
        event_dict.setdefault("order_id", workflow_id.removeprefix(WORKFLOW_ID_PREFIX))
    return event_dict


def _add_service(service: str) -> Processor:
    # A processor rather than bind_contextvars: contextvars do not reach the threads
    # that run sync activities, and a caller's clear_contextvars() would drop it.
    def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


def _renderer(settings: Settings, stream: TextIO) -> list[Processor]:
    use_console = settings.log_format == "console" or (
        settings.log_format == "auto" and stream.isatty()
    )
    if use_console:
        return [structlog.dev.ConsoleRenderer(colors=stream.isatty())]
    return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]


def _level(name: str) -> int:
    try:
        return logging.getLevelNamesMapping()[name.upper()]
    except KeyError:
        raise ValueError(f"ORDERS_LOG_LEVEL={name!r} is not a level; use DEBUG, INFO, WARNING or ERROR") from None


class _OrdersHandler(logging.StreamHandler):
    """Marks the root handler this module owns, so reconfiguring replaces it instead of adding one."""


def configure_logging(settings: Settings, *, service: str, stream: TextIO | None = None) -> None:
    """Send structlog and stdlib logging to `stream` (stderr by default) as one stream.

    Console rendering on a TTY, JSON lines otherwise, unless settings.log_format says which.
    Safe to call more than once: the previous handler is replaced, not duplicated.
    """
    stream = stream if stream is not None else sys.stderr
    level = _level(settings.log_level)
    # Runs for both structlog events (at the call) and stdlib records (in the handler).
    pre_chain: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *pre_chain,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: a second configure_logging (tests, `orders run`) must reach existing loggers.
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=pre_chain,
        processors=[
            lift_temporal_ids,  # before remove_processors_meta: it reads _record
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_service(service),
            *_renderer(settings, stream),
        ],
    )
    handler = _OrdersHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OrdersHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # The context is already in fields; the SDK's "(…{dict}…)" message suffix would repeat it.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False

