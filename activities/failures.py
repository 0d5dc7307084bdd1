"""Business outcomes of a third party, told apart from transient faults.

Adapters raise a `BusinessFailure` subclass for an answer that a retry cannot change
(card declined, out of stock, label already scanned). Activities let it out as a
non-retryable ApplicationError whose type is the class name, which is what the workflow
matches on; anything else is transient and retried by the activity's retry policy.
"""

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from temporalio.exceptions import ApplicationError

P = ParamSpec("P")
R = TypeVar("R")


class BusinessFailure(Exception):
    """An answer from a third party that retrying will not change."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code

    @property
    def details(self) -> tuple[object, ...]:
        """What the workflow reads from the ApplicationError's details: the code, then any facts."""
        return (self.code,)


def final_on_business_failure(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except BusinessFailure as failure:
            raise ApplicationError(
                str(failure), *failure.details, type=type(failure).__name__, non_retryable=True
            ) from failure

    return wrapper
