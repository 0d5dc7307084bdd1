"""A load's clients keep asking through a worker's death, a server restart and the stand-ins' faults.

The scenarios' pieces drive load orders through these: every order call and every sandbox request
that fails transiently is sent again, unchanged, until `patience` runs out. Sending again is safe:
an order is started under its own id, a cancel or review under an update id derived from its request
(keys.update_id), and a carrier scan repeated is the same stage again.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

import httpx
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from domain.order import Order
from domain.placement import PlaceOrder
from domain.requests import CancellationOutcome, CancellationRequest, CancellationReview
from starter.client import OrdersClient
from starter.errors import CliError, NoWorker, OrderBusy, TemporalUnreachable

R = TypeVar("R")

# What a server restarting, a worker gone or a busy order looks like to a client: worth asking again.
TRANSIENT = (NoWorker, TemporalUnreachable, OrderBusy, RPCError)
FIRST_WAIT, LONGEST_WAIT = 0.2, 3.0


async def again_and_again(call: Callable[[], Awaitable[R]], patience: timedelta, transient: tuple[type[BaseException], ...]) -> R:
    """`call()` until it does not raise one of `transient`, waiting longer each time; past `patience`, its error."""
    deadline = time.monotonic() + patience.total_seconds()
    wait = FIRST_WAIT
    while True:
        try:
            return await call()
        except transient:
            if time.monotonic() + wait > deadline:
                raise
        await asyncio.sleep(wait)
        wait = min(wait * 2, LONGEST_WAIT)


class PatientOrdersClient(OrdersClient):
    """OrdersClient whose calls outlast transient failures, and that times each cancel and review update
    (its round trip as the caller sees it, retries included) per order in `update_seconds`."""

    def __init__(self, orders: OrdersClient, patience: timedelta) -> None:
        super().__init__(
            orders.client, task_queue=orders._task_queue, address=orders.address, event_subscribers=orders.event_subscribers
        )
        self.patience = patience
        self.update_seconds: dict[str, list[float]] = {}

    async def _patiently(self, call: Callable[[], Awaitable[R]]) -> R:
        return await again_and_again(call, self.patience, TRANSIENT)

    async def place(self, command: PlaceOrder) -> str:
        attempts = 0

        async def start() -> str:
            nonlocal attempts
            attempts += 1
            try:
                return await OrdersClient.place(self, command)
            except CliError as error:
                # A start whose answer was lost comes back as "already exists": that is our order.
                if attempts > 1 and isinstance(error.__cause__, WorkflowAlreadyStartedError):
                    return command.order_id
                raise

        return await self._patiently(start)

    async def cancel(self, order_id: str, request: CancellationRequest) -> CancellationOutcome:
        return await self._timed(order_id, lambda: OrdersClient.cancel(self, order_id, request))

    async def review(self, order_id: str, review: CancellationReview) -> CancellationOutcome:
        return await self._timed(order_id, lambda: OrdersClient.review(self, order_id, review))

    async def status(self, order_id: str) -> Order:
        return await self._patiently(lambda: OrdersClient.status(self, order_id))

    async def _timed(self, order_id: str, call: Callable[[], Awaitable[CancellationOutcome]]) -> CancellationOutcome:
        sent = time.perf_counter()
        outcome = await self._patiently(call)
        self.update_seconds.setdefault(order_id, []).append(time.perf_counter() - sent)
        return outcome


class PatientTransport(httpx.AsyncBaseTransport):
    """Sends a request again while the stand-in fails it (a 5xx, a dropped or timed-out connection)."""

    def __init__(self, patience: timedelta, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.patience = patience
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            if response.status_code >= 500:
                await response.aclose()
                raise ServerFault(response.status_code)
            return response

        return await again_and_again(send, self.patience, (httpx.TransportError, ServerFault))

    async def aclose(self) -> None:
        await self.inner.aclose()


class ServerFault(Exception):
    """A stand-in answered 5xx: it failed, or pretends to (faults injected)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
