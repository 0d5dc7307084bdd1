"""Every refusal leaves the API as a status and one sentence: never a stack trace, never a 500 for bad input."""

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.access import Forbidden
from domain.errors import OrderError
from starter.errors import CliError, NoWorker, OrderBusy, OrderNotFound, TemporalUnreachable

log = structlog.get_logger("api")

# How long a caller should wait before trying again when Temporal or the worker is away.
RETRY_AFTER_SECONDS = 5

# The order workflow's refusals (its validators' OrderError subclasses), by the status they mean.
_REFUSAL_STATUS = {"RequestIdReused": 409, "InvalidMessage": 422, "InvalidLines": 422}


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers


def _reply(status: int, error: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "message": message, **extra}, status_code=status, headers=headers)


def of_cli_error(error: CliError) -> ApiError:
    """The client facade's errors (starter.errors), as HTTP says them."""
    if isinstance(error, OrderNotFound):
        return ApiError(404, "order_not_found", str(error))
    if isinstance(error, TemporalUnreachable | NoWorker | OrderBusy):
        return ApiError(503, "unavailable", str(error), {"Retry-After": str(RETRY_AFTER_SECONDS)})
    cause = error.__cause__
    if isinstance(cause, WorkflowUpdateFailedError) and isinstance(cause.cause, ApplicationError):
        return ApiError(_REFUSAL_STATUS.get(cause.cause.type or "", 409), "refused", cause.cause.message)
    return ApiError(409, "conflict", str(error))


def _field(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The field's own name: FastAPI's location starts with where it was sent (body, query, header, path)."""
    return loc[1:] if loc and loc[0] in ("body", "query", "header", "path") else loc


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return _reply(error.status, error.error, error.message, error.headers)

    @app.exception_handler(CliError)
    async def cli_error(request: Request, error: CliError) -> JSONResponse:
        return await api_error(request, of_cli_error(error))

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, error: Forbidden) -> JSONResponse:
        return _reply(403, "forbidden", str(error))

    @app.exception_handler(OrderError)
    async def invalid(_: Request, error: OrderError) -> JSONResponse:
        return _reply(422, "invalid", str(error))

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(part) for part in _field(problem["loc"])) or "body", "message": problem["msg"]}
            for problem in error.errors()
        ]
        first = problems[0]
        return _reply(422, "invalid", f"{first['field']}: {first['message']}", problems=problems)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("api.unexpected_error", path=request.url.path, error=repr(error))
        return _reply(500, "internal", "the API failed unexpectedly; the log has the details")
