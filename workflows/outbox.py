"""Customer notices go out in the background, in order, once each."""

import asyncio
from collections.abc import Awaitable, Callable

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import messages
    from domain.order import Order
    from workflows.step_failures import describe

Send = Callable[[messages.CustomerMessage], Awaitable[None]]


class Outbox:
    """Sends one order's customer notices one after another, without holding the order back."""

    def __init__(self, order: Order, send: Send) -> None:
        self._order = order
        self._send = send
        self._messages: list[messages.CustomerMessage] = []

    def post(self, message: messages.CustomerMessage) -> None:
        self._messages.append(message)
        if len(self._messages) == 1:
            asyncio.create_task(self._deliver())

    def is_empty(self) -> bool:
        return not self._messages

    async def _deliver(self) -> None:
        while self._messages:
            message = self._messages[0]
            try:
                await self._send(message)
                self._order.note(workflow.now(), "MESSAGE_SENT", f"{message.kind} to {message.to}")
            except ActivityError as error:
                # An undeliverable notice must not hold the order back; it stays on the record.
                self._order.note(workflow.now(), "MESSAGE_UNDELIVERABLE", f"{message.kind}: {describe(error)[0]}")
            self._messages.pop(0)
