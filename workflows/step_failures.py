"""How a step that could not be done is told to the rest of the workflow."""

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.cancellation import Compensation
    from domain.requests import ResolutionAction


class StepFailed(Exception):
    """A step that cannot be done without a person: what failed, and what they can do."""

    def __init__(self, problem: str, actions: list[ResolutionAction], *, refused: bool) -> None:
        super().__init__(problem)
        self.actions = actions
        self.refused = refused  # the third party said no: a retry needs a new idempotency key


class StepChanged(Exception):
    """What a step found makes it another one (a void that found the hold captured is a refund)."""

    def __init__(self, step: Compensation) -> None:
        super().__init__(step.step.value)
        self.step = step


def describe(error: ActivityError) -> tuple[str, bool]:
    """What went wrong, and whether the third party said no (rather than its answer being lost)."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.non_retryable:
        return f"{cause.type}: {cause.message}", True
    return f"gave up after the retry budget: {cause or error}", False


def refused_with(error: ActivityError, code: str) -> bool:
    """The third party said no, giving this code (the first detail of the business failure)."""
    cause = error.cause
    return isinstance(cause, ApplicationError) and cause.non_retryable and bool(cause.details) and cause.details[0] == code
