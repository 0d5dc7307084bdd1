"""How the forward story takes a step, waits, and lets what arrived meanwhile be decided."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain import keys
    from domain.requests import Resolution, ResolutionAction
    from workflows import options, patches
    from workflows.attention import Attention
    from workflows.context import OrderContext
    from workflows.continuation import Rest
    from workflows.inbox import Inbox
    from workflows.reversal import Reversal
    from workflows.step_failures import describe

Argument = TypeVar("Argument", bound=BaseModel)
Result = TypeVar("Result")


class ForwardSteps:
    """Runs one forward step at a time and, between steps, what other systems set in motion.

    While a step is in flight the Inbox holds what arrives; after it, `checkpoint` decides it
    and runs the compensations it accepted, which end the story (OrderEnded) once the whole
    order is cancelled. A step that cannot be done waits for a person.
    """

    def __init__(self, ctx: OrderContext, inbox: Inbox, attention: Attention, reversal: Reversal) -> None:
        self._ctx = ctx
        self._inbox = inbox
        self._attention = attention
        self._reversal = reversal

    async def step(
        self,
        activity: Callable[[Any, Argument], Awaitable[Result]],
        build: Callable[[], Argument],
        profile: options.Profile = options.THIRD_PARTY,
        *,
        ends_order: bool = False,
        hands_back: Callable[[ActivityError], bool] = lambda _: False,
        lost: Callable[[], None] = lambda: None,
    ) -> Result:
        """A forward step: requests arriving meanwhile wait for its result; one that cannot be
        done waits for a person (unless its refusal ends the order, like a declined card, or is
        one the caller `hands_back` says it handles itself: the error is raised to it).
        `build` makes the step's argument, again for a try after the third party said no;
        `lost` records that the step may have been done although its answer was lost."""
        name = activity.__name__
        refusals = 0
        argument = build()
        while True:
            try:
                async with self._inbox.holding():
                    return await self._ctx.call(activity, argument, profile)
            except ActivityError as error:
                problem, refused = describe(error)
                if refused and (ends_order or hands_back(error)):
                    raise
                # The answer was lost, not the call: the third party may have done it.
                resend = not refused and workflow.patched(patches.RESEND_AFTER_LOST_ANSWER)
                if resend:
                    lost()
                await self.checkpoint()
                problem = f"{name} failed: {problem}; retry it, or cancel the order"
                await self.ask_person(problem, name.upper(), [ResolutionAction.RETRY])
                if resend:
                    # The same request under the same key makes the third party answer for what it
                    # did; the caller gives back what lines cancelled meanwhile no longer need.
                    continue
                if refused:
                    # The third party stored its "no" under the old key: ask again under a new one.
                    refusals += 1
                argument = build()
                if refusals and hasattr(argument, "idempotency_key"):
                    key = keys.forward_retry(self._ctx.order.order_id, name, refusals)
                    argument = argument.model_copy(update={"idempotency_key": key})

    async def checkpoint(self) -> None:
        """After a step: apply what arrived meanwhile, decide what waited, and run what was accepted."""
        self._inbox.settle_waiting()
        await self._reversal.run()

    async def wait(
        self,
        until: Callable[[], bool],
        *,
        timeout: timedelta | None = None,
        deadline: datetime | None = None,
        rest: Rest | None = None,
    ) -> None:
        """Wait for a condition or a timeout (or a deadline), running accepted compensations
        meanwhile (which stop the story once the order is cancelled). At a `rest`, a long history
        continues the order as a new run (workflows.continuation)."""
        if timeout is not None:
            deadline = workflow.now() + timeout
        while await self._ctx.until(lambda: until() or self._reversal.has_work, deadline, rest):
            if not self._reversal.has_work:
                return
            await self._reversal.run()

    async def ask_person(
        self, problem: str, step: str, actions: list[ResolutionAction], still_open: Callable[[], bool] = lambda: True
    ) -> Resolution | None:
        """Put a problem of the forward story to a person. None: it closed otherwise (the carrier
        scanned meanwhile), or a cancellation took the order over, whose compensations then run."""
        resolution = await self._attention.ask(problem, step, actions, still_open=still_open)
        if resolution is None:
            await self._reversal.run()
        return resolution
