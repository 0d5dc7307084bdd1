"""Request bodies: the domain's own models, so a request is validated the same way by the CLI, the API and the order."""

from pydantic import BaseModel, Field

from api.errors import ApiError
from domain.requests import CancellationRequest, RequestId, request_from_wire


class CancellationBody(CancellationRequest):
    """A CancellationRequest whose request_id may come in the Idempotency-Key header instead."""

    request_id: RequestId | None = Field(default=None, description="idempotency key; or send the Idempotency-Key header")  # type: ignore[assignment]

    def request(self, idempotency_key: str | None) -> CancellationRequest:
        if self.request_id and idempotency_key and self.request_id != idempotency_key:
            raise ApiError(422, "invalid", "request_id and the Idempotency-Key header differ: send one, or the same in both")
        request_id = self.request_id or idempotency_key
        if not request_id:
            raise ApiError(422, "invalid", "request_id: send it in the body or as the Idempotency-Key header")
        return request_from_wire({**self.model_dump(mode="json"), "request_id": request_id})


class Placed(BaseModel):
    order_id: str
    status_url: str
