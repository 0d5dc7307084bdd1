"""The stand-ins' wire conventions: Stripe-shaped errors, stored replies, the Idempotency-Key header."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

# Paths whose errors take the Stripe shape; other routers mounted on the same app keep FastAPI's.
OWN_PREFIXES = ("/v1/", "/carrier/")


class ApiError(Exception):
    """A refusal as the stand-ins send it: an HTTP status and `{"error": {"type", "message", ...}}`.

    `type` names the reason precisely (`card_error`, `amount_too_large`, `label_not_voidable`...),
    so that a client can act on it without parsing the message.
    """

    def __init__(self, status: int, type: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": {"type": type, "message": message, **extra}}


def not_found(kind: str, id: str, param: str = "id") -> ApiError:
    return ApiError(404, "resource_missing", f"No such {kind}: '{id}'", param=param)


@dataclass(frozen=True)
class Reply:
    """An answer to a mutating request, as stored under its idempotency key."""

    status: int
    body: dict[str, Any]
    replayed: bool = False

    def response(self) -> JSONResponse:
        # Stripe's header, so that a client (or a person reading logs) can tell a replay apart.
        headers = {"Idempotent-Replayed": "true"} if self.replayed else None
        return JSONResponse(self.body, status_code=self.status, headers=headers)


def _idempotency_key(idempotency_key: Annotated[str | None, Header()] = None) -> str:
    if not idempotency_key or not idempotency_key.strip():
        raise ApiError(400, "invalid_request_error", "This request changes state: send an Idempotency-Key header.")
    if len(idempotency_key) > 255:
        raise ApiError(400, "invalid_request_error", "The Idempotency-Key header is limited to 255 characters.")
    return idempotency_key


IdempotencyKeyHeader = Annotated[str, Depends(_idempotency_key)]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, error: ApiError) -> Response:
        return JSONResponse(error.body, status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if not request.url.path.startswith(OWN_PREFIXES):
            return await request_validation_exception_handler(request, error)
        # Without "input": a rejected payment_method would otherwise be echoed back (and logged).
        problems = [{k: v for k, v in problem.items() if k != "input"} for problem in jsonable_encoder(error.errors())]
        first = problems[0] if problems else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"Invalid request: {where}: {first.get('msg', 'invalid')}"
        return JSONResponse(
            {"error": {"type": "invalid_request_error", "message": message, "param": where, "problems": problems}},
            status_code=400,
        )
