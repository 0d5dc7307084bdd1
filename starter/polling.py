"""Waiting by asking again: an order's state (or a listing) is read until it is what the caller waits for."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from domain.order import Order

T = TypeVar("T")

FIRST_DELAY, LONGEST_DELAY = 0.05, 0.5


async def poll(read: Callable[[], Awaitable[T]], done: Callable[[T], bool], *, timeout: timedelta,
               late: Callable[[T], str]) -> T:
    """`read()` until `done` holds of what it returns; past `timeout`, TimeoutError(late(the last value))."""
    deadline = time.monotonic() + timeout.total_seconds()
    delay = FIRST_DELAY
    while True:
        value = await read()
        if done(value):
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(late(value))
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, LONGEST_DELAY)


async def wait_for_order(
    status: Callable[[str], Awaitable[Order]], order_id: str, predicate: Callable[[Order], bool], timeout: timedelta
) -> Order:
    """Read the order through `status` until `predicate` holds; TimeoutError names the last state seen."""
    return await poll(
        lambda: status(order_id), predicate, timeout=timeout,
        late=lambda order: f"order {order_id} still {order.status} after {timeout.total_seconds():.0f}s",
    )
