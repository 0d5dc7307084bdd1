"""The SDK's errors about one order, turned into the command line's errors that say what to do."""

import asyncio

from temporalio.client import RPCTimeoutOrCancelledError, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from starter.errors import CliError, NoWorker, OrderBusy, OrderNotFound, TemporalUnreachable


class translated:
    """Async context manager: an SDK error about `order_id` leaves it as a CliError naming what to do."""

    def __init__(self, order_id: str, address: str) -> None:
        self._order_id = order_id
        self._address = address

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: type | None, error: BaseException | None, _tb: object) -> bool:
        order_id = self._order_id
        if isinstance(error, WorkflowUpdateFailedError):
            cause = error.cause.message if hasattr(error.cause, "message") else str(error.cause)
            raise CliError(f"order {order_id} refused the request: {cause}") from error
        if isinstance(error, RPCTimeoutOrCancelledError):
            if isinstance(error.__cause__, asyncio.CancelledError):
                # The SDK wraps the caller's own cancellation (Ctrl-C, a timeout around the
                # call) in the same error as a worker that never answered: keep it a cancellation.
                raise asyncio.CancelledError() from error
            raise NoWorker(order_id) from error
        if not isinstance(error, RPCError):
            return False
        if error.status is RPCStatusCode.NOT_FOUND and "completed" in error.message:
            message = f"order {order_id} has ended and no longer takes requests; see `orders status {order_id}`"
            raise CliError(message) from error
        if error.status is RPCStatusCode.NOT_FOUND:
            raise OrderNotFound(order_id) from error
        # A query's rpc_timeout ends as CANCELLED ("Timeout expired", or the server resetting the
        # stream), not DEADLINE_EXCEEDED: either way the workflow was not loaded by any worker.
        if error.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED):
            raise NoWorker(order_id) from error
        if error.status is RPCStatusCode.RESOURCE_EXHAUSTED:  # the in-flight or total update limit
            raise OrderBusy(order_id) from error
        if error.status is RPCStatusCode.UNAVAILABLE:
            raise TemporalUnreachable(self._address) from error
        return False
