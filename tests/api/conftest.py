"""The API served in-process (no sockets) over a fake order facade that records what reached the orders."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from domain.access import Role
from domain.placement import PlaceOrder
from domain.requests import CancellationOutcome, CancellationRequest, Verdict
from domain.shipment import ShipmentEvent
from runtime.settings import Settings
from starter.errors import OrderExists, OrderNotFound

NOW = 1_780_000_000.0


@dataclass
class FakeOrders:
    """Stands in for starter.client.OrdersClient: what reached the orders, in order."""

    known: set[str] = field(default_factory=lambda: {"A1"})
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    async def place(self, command: PlaceOrder) -> str:
        if command.order_id in self.known:
            raise OrderExists(command.order_id)
        self.known.add(command.order_id)
        self.calls.append(("place", command.order_id, command))
        return command.order_id

    def _order(self, order_id: str) -> None:
        if order_id not in self.known:
            raise OrderNotFound(order_id)

    async def cancel(self, order_id: str, request: CancellationRequest) -> CancellationOutcome:
        self._order(order_id)
        self.calls.append(("cancel", order_id, request))
        return CancellationOutcome(request_id=request.request_id, outcome=Verdict.ACCEPTED, message="being cancelled")

    async def event(self, order_id: str, event: ShipmentEvent) -> None:
        self._order(order_id)
        self.calls.append(("event", order_id, event))


@pytest.fixture
def orders() -> FakeOrders:
    return FakeOrders()


@pytest.fixture
def app(tmp_path: Path, orders: FakeOrders) -> FastAPI:
    async def connect(_: Settings) -> Any:
        return orders

    return create_app(Settings(var_dir=tmp_path), connect=connect, clock=lambda: NOW)


@pytest.fixture
def keys(app: FastAPI) -> dict[Role, str]:
    return {role: app.state.store.new_key(role) for role in Role}


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
        yield client


def as_(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
