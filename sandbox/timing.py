"""How the stand-ins' asynchronous answers unfold in time, and the clock they read it from."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

from sandbox.tables import now

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Timing:
    """When the stand-ins' slow outcomes happen. Nothing runs in the background for them: each
    outcome is computed from the time its cause was recorded and settled when someone next reads
    it, so tests get the same answers from an injected clock (or zero delays) as demos get from time.
    """

    refund_settle_after: timedelta = timedelta(seconds=1)
    return_after: timedelta = timedelta(seconds=2)
    # An uncaptured card hold lapses (Stripe: 7 days); the gateway then refuses to capture it.
    hold_valid_for: timedelta = timedelta(days=7)
    clock: Clock = field(default=now)


def _timing(request: Request) -> Timing:
    return request.app.state.timing


Timed = Annotated[Timing, Depends(_timing)]
