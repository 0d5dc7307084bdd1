"""A worker interceptor that logs each activity that succeeded only after retries, with its order and attempt."""

from typing import Any

import structlog
from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from runtime.logs import WORKFLOW_ID_PREFIX

log = structlog.get_logger("activity")


class _Attempts(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        result = await self.next.execute_activity(input)
        info = activity.info()
        if info.attempt > 1:
            # Failed attempts are logged by temporalio as they happen; this line closes the story.
            log.info(
                "activity.succeeded_after_retries",
                order_id=info.workflow_id.removeprefix(WORKFLOW_ID_PREFIX),
                activity_type=info.activity_type,
                attempt=info.attempt,
            )
        return result


class LogRetriedSuccesses(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Attempts(next)
