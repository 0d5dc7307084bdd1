import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.carrier import CarrierActivities
from activities.inventory import InventoryActivities
from activities.mail import MailActivities
from activities.order_events import OrderEventActivities
from activities.payment import PaymentActivities
from domain.placement import Address, OrderLine, PlaceOrder
from domain.policy import Policy
from domain.requests import CancellationRequest, CancelReason, RequestedBy
from runtime.workflow_runner import workflow_runner
from tests.fakes import FakeCarrier, FakeEventReceivers, FakeInventoryStore, FakeMailer, FakePaymentGateway, Gate
from tests.temporal_envs import local_server, time_skipping_server
from worker import activity_methods
from workflows import search
from workflows.order import OrderWorkflow
from workflows.order_events import OrderEventsWorkflow


@pytest.fixture(scope="session")
async def local_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await local_server()
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await time_skipping_server()
    yield env
    await env.shutdown()


@dataclass
class World:
    """Fakes of every third party, the real activity classes over them, and a worker."""

    client: Client
    payments: FakePaymentGateway = field(default_factory=FakePaymentGateway)
    inventory: FakeInventoryStore = field(default_factory=FakeInventoryStore)
    carrier: FakeCarrier = field(default_factory=FakeCarrier)
    mailer: FakeMailer = field(default_factory=FakeMailer)
    receivers: FakeEventReceivers = field(default_factory=FakeEventReceivers)
    task_queue: str = field(default_factory=lambda: f"orders-test-{uuid.uuid4().hex[:8]}")

    def worker(self) -> Worker:
        activities = activity_methods(
            PaymentActivities(self.payments),
            InventoryActivities(self.inventory),
            CarrierActivities(self.carrier),
            MailActivities(self.mailer),
            OrderEventActivities(self.receivers),
        )
        return Worker(
            self.client,
            task_queue=self.task_queue,
            workflows=[OrderWorkflow, OrderEventsWorkflow],
            activities=activities,
            workflow_runner=workflow_runner(),
        )

    async def place(self, **changes: object) -> WorkflowHandle:
        return await self.start(an_order(**changes))

    async def start(self, order: PlaceOrder, *, with_search_attributes: bool = True) -> WorkflowHandle:
        """Start the order as OrdersClient does (with search.at_start), or as a client that sets none."""
        for line in order.lines:
            self.inventory.on_hand.setdefault(line.sku, 10)
        return await self.client.start_workflow(
            OrderWorkflow.run,
            order,
            id=f"order-{order.order_id}",
            task_queue=self.task_queue,
            search_attributes=search.at_start(order) if with_search_attributes else None,
        )

    async def place_confirmed(self, **changes: object) -> WorkflowHandle:
        """Place an order and wait until the customer has its confirmation."""
        handle = await self.place(**changes)
        await self.mailer.wait_for("CONFIRMATION")
        return handle

    async def place_until(self, gate: Gate, **changes: object) -> WorkflowHandle:
        """Place an order and wait until the call behind `gate` is made (and held, unless the gate is open)."""
        handle = await self.place(**changes)
        await gate.entered.wait()
        return handle


def watch_labels(world: World) -> None:
    """Tell the test when the label is being bought, without holding it: on the time-skipping server
    a held activity would see its timeout skipped past."""
    world.carrier.label_gate = Gate.watching()


def customer_cancel(request_id: str = "req-1", **changes: object) -> CancellationRequest:
    return CancellationRequest(request_id=request_id, reason=CancelReason.CUSTOMER, **changes)


def staff_cancel(request_id: str = "req-1", **changes: object) -> CancellationRequest:
    """Customer service may cancel alone after the free window, where a customer would need review."""
    return customer_cancel(request_id, requested_by=RequestedBy.CUSTOMER_SERVICE, **changes)


TOTAL = 2 * 1250 + 899 + 499  # the lines and shipping fee of an_order(), in cents


def an_order(**changes: object) -> PlaceOrder:
    policy = Policy(
        free_cancellation_window=timedelta(hours=1),
        return_period=timedelta(days=14),
        answer_period=timedelta(seconds=1),
    )
    base = PlaceOrder(
        order_id=f"T{uuid.uuid4().hex[:10]}",
        customer_id="cust-1",
        customer_email="ada@example.com",
        lines=[
            OrderLine(sku="MUG", quantity=2, unit_price_minor=1250),
            OrderLine(sku="TEA", quantity=1, unit_price_minor=899),
        ],
        shipping_address=Address(name="Ada", line1="1 Loop Rd", city="Paris", postal_code="75001", country="FR"),
        shipping_fee_minor=499,
        currency="EUR",
        payment_method="pm_card_visa",
        policy=policy,
    )
    return base.model_copy(update=changes)


@asynccontextmanager
async def world_on(env: WorkflowEnvironment, setup: Callable[[World], None] = lambda w: None) -> AsyncIterator[World]:
    world = World(env.client)
    setup(world)
    async with world.worker():
        yield world


@pytest.fixture
async def world(local_env: WorkflowEnvironment) -> AsyncIterator[World]:
    async with world_on(local_env) as w:
        yield w


# A window that closes at once, for tests that need capture on a server that does not skip time.
SHORT = an_order().policy.model_copy(update={"free_cancellation_window": timedelta(milliseconds=50)})

# Third parties failing transiently, or a refund pending, for two seconds are put to a person.
BRIEF = SHORT.model_copy(update={"retry_budget": timedelta(seconds=2), "refund_deadline": timedelta(seconds=2)})
