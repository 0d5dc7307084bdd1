"""Mail: customer messages, each sent once under its idempotency key."""

from typing import Protocol

from temporalio import activity

from activities.failures import final_on_business_failure
from domain.messages import CustomerMessage


class Mailer(Protocol):
    async def send(self, message: CustomerMessage) -> None:
        """Deliver the message; a second call with the same key must not reach the customer twice."""
        ...


class MailActivities:
    """The mail activity, over any Mailer."""

    def __init__(self, mailer: Mailer) -> None:
        self._mailer = mailer

    @activity.defn
    @final_on_business_failure
    async def send_message(self, message: CustomerMessage) -> None:
        """Send one customer message."""
        await self._mailer.send(message)
