"""What the scenarios ask of the orders, whichever way they reach them."""

from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from domain.order import Order
from domain.placement import PlaceOrder
from domain.requests import CancellationOutcome, CancellationRequest, CancellationReview, Resolution
from starter.client import OrderSummary


class Via(StrEnum):
    """The way the scenarios reach the orders."""

    TEMPORAL = "temporal"
    API = "api"


class OrderService(Protocol):
    """Place, cancel, review, resolve, read, wait for and list orders: over Temporal (starter.client.OrdersClient)
    or over the HTTP API with role keys (starter.api_client.ApiOrdersClient). Steps only Temporal offers (a
    signalled cancellation, a Temporal cancel request) are not here: a scenario asks Temporal for them itself."""

    async def place(self, command: PlaceOrder) -> str: ...

    async def cancel(self, order_id: str, request: CancellationRequest) -> CancellationOutcome: ...

    async def review(self, order_id: str, review: CancellationReview) -> CancellationOutcome: ...

    async def resolve(self, order_id: str, resolution: Resolution) -> Order: ...

    async def status(self, order_id: str) -> Order: ...

    async def wait_for(
        self, order_id: str, predicate: Callable[[Order], bool], *, timeout: timedelta = ...
    ) -> Order: ...

    # Last: inside the class body, `list` names this method from here on.
    async def list(
        self, status: str | None = None, *, attention: bool = False, customer: str | None = None, limit: int = 50
    ) -> list[OrderSummary]: ...
