"""The CLI's translation of SDK errors: each says what really went wrong."""

import asyncio

import pytest
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from starter.client_errors import translated
from starter.errors import NoWorker, OrderNotFound
from starter.guard import unexpected


async def _raise(error: BaseException) -> None:
    async with translated("o-1", "localhost:7233"):
        raise error


def _chained(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


async def test_an_update_nobody_answered_in_time_names_the_missing_worker() -> None:
    timeout = RPCError("deadline", RPCStatusCode.DEADLINE_EXCEEDED, b"")
    with pytest.raises(NoWorker):
        await _raise(_chained(WorkflowUpdateRPCTimeoutOrCancelledError(), timeout))


async def test_the_callers_own_cancellation_stays_a_cancellation_not_a_missing_worker() -> None:
    with pytest.raises(asyncio.CancelledError):
        await _raise(_chained(WorkflowUpdateRPCTimeoutOrCancelledError(), asyncio.CancelledError()))


async def test_an_unknown_order_is_named() -> None:
    with pytest.raises(OrderNotFound, match="o-1"):
        await _raise(RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b""))


def test_an_unexpected_task_group_failure_is_told_by_its_one_error(capsys: pytest.CaptureFixture[str]) -> None:
    unexpected(ExceptionGroup("unhandled errors in a TaskGroup", [KeyError("order-1")]))

    assert capsys.readouterr().err.startswith("error: unexpected KeyError: 'order-1' (")
