"""The orders over the HTTP API, for the scenarios: what they ask of OrdersClient, sent with role keys."""

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from api.serve import keys_file
from api.store import listed_keys
from domain.access import Action, Role, role_for, role_to_cancel
from domain.order import Order
from domain.placement import PlaceOrder
from domain.requests import CancellationOutcome, CancellationRequest, CancellationReview, Resolution
from runtime.settings import Settings
from starter.client import OrderSummary
from starter.errors import CliError, OrderExists, OrderNotFound
from starter.polling import wait_for_order

# Above the API's own patience with a busy order (20 s) plus a worker's answer (15 s): its answer, not ours.
HTTP_TIMEOUT = 60.0


class ApiUnreachable(CliError):
    def __init__(self, url: str) -> None:
        super().__init__(f"cannot reach the orders API at {url}: start it with `make run` (or `orders api`)")


class ApiRefused(CliError):
    """The API said no: the message is its own one sentence, with the status and the role whose key was sent."""

    def __init__(self, status: int, error: str, message: str, role: Role) -> None:
        super().__init__(f"the orders API refused the {role.value} key's request (HTTP {status} {error}): {message}")
        self.status, self.error = status, error


def keys_of(settings: Settings) -> dict[Role, str]:
    """The demo keys the API wrote on its first start (var/api-keys.txt), by role."""
    listing = Path(keys_file(settings))
    try:
        keys = listed_keys(listing)
    except FileNotFoundError:
        raise CliError(f"no API keys at {listing}: the API writes them on its first start (`make run`)") from None
    if missing := [role.value for role in Role if role not in keys]:
        raise CliError(f"{listing} has no key for the role(s) {', '.join(missing)}")
    return keys


class ApiOrdersClient:
    """starter.order_service.OrderService over the orders API.

    Each call carries the key of the narrowest role that may make it (domain.access): the storefront
    places, support reviews, resolves and lists, and a cancellation goes with the key of the party it
    stands for (customer: storefront, customer service: support, system for FRAUD: fraud). The API's
    refusals come back as the errors the command line and the scenarios know (starter.errors).
    """

    def __init__(self, http: httpx.AsyncClient, keys: Mapping[Role, str]) -> None:
        self._http, self._keys = http, keys

    @classmethod
    @asynccontextmanager
    async def opened(cls, settings: Settings) -> AsyncIterator["ApiOrdersClient"]:
        keys = keys_of(settings)
        async with httpx.AsyncClient(base_url=settings.api_url, timeout=HTTP_TIMEOUT) as http:
            try:  # one line now, rather than every scenario failing on it
                await http.get("/healthz")
            except httpx.TransportError as error:
                raise ApiUnreachable(settings.api_url) from error
            yield cls(http, keys)

    async def place(self, command: PlaceOrder) -> str:
        """Placed under the Idempotency-Key of its order id: sent again (a lost answer), it is the same order."""
        body = command.model_dump(mode="json")
        try:
            await self._send(role_for(Action.PLACE), "POST", "/orders", body, {"Idempotency-Key": command.order_id})
        except ApiRefused as refusal:
            if refusal.status == 409:  # that id is taken, by another body
                raise OrderExists(command.order_id) from refusal
            raise
        return command.order_id

    async def cancel(self, order_id: str, request: CancellationRequest) -> CancellationOutcome:
        answer = await self._send(role_to_cancel(request), "POST", f"/orders/{order_id}/cancellations", _json(request))
        return CancellationOutcome.model_validate(answer)

    async def review(self, order_id: str, review: CancellationReview) -> CancellationOutcome:
        answer = await self._send(role_for(Action.REVIEW), "POST", f"/orders/{order_id}/reviews", _json(review))
        return CancellationOutcome.model_validate(answer)

    async def resolve(self, order_id: str, resolution: Resolution) -> Order:
        answer = await self._send(role_for(Action.RESOLVE), "POST", f"/orders/{order_id}/resolutions", _json(resolution))
        return Order.model_validate(answer)

    async def status(self, order_id: str) -> Order:
        return Order.model_validate(await self._send(role_for(Action.VIEW), "GET", f"/orders/{order_id}"))

    async def wait_for(
        self, order_id: str, predicate: Callable[[Order], bool], *, timeout: timedelta = timedelta(seconds=30)
    ) -> Order:
        return await wait_for_order(self.status, order_id, predicate, timeout)

    async def list(
        self, status: str | None = None, *, attention: bool = False, customer: str | None = None, limit: int = 50
    ) -> list[OrderSummary]:
        """The first page, newest first, of the orders the filters find."""
        filters = {"status": status, "needs_attention": "true" if attention else None, "customer": customer}
        query = {name: value for name, value in filters.items() if value is not None} | {"page_size": str(limit)}
        page = await self._send(role_for(Action.LIST), "GET", "/orders", query=query)
        return [OrderSummary.model_validate(row) for row in page["orders"]]

    async def _send(
        self, role: Role, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None,
        *, query: Mapping[str, str] | None = None,
    ) -> Any:
        """One request with `role`'s key; its JSON answer, or the refusal as a CliError."""
        sent = {"Authorization": f"Bearer {self._keys[role]}", **(headers or {})}
        try:
            response = await self._http.request(method, path, json=body, headers=sent, params=query)
        except httpx.TransportError as error:
            raise ApiUnreachable(str(self._http.base_url)) from error
        if response.is_success:
            return response.json()
        raise refusal(response, role)


def _json(message: Any) -> Any:
    return message.model_dump(mode="json")


def refusal(response: httpx.Response, role: Role) -> CliError:
    """The API's error answer (`{"error", "message"}`) as the command line's error; an unknown order as OrderNotFound."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    answer = answer if isinstance(answer, dict) else {}
    error, message = answer.get("error", "?"), answer.get("message", response.text[:200])
    if error == "order_not_found":
        return OrderNotFound(response.request.url.path.split("/")[2])
    return ApiRefused(response.status_code, error, message, role)
