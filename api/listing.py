"""`GET /orders`: a visibility query over the orders' search attributes, a page at a time."""

import base64
import binascii
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from temporalio.service import RPCError, RPCStatusCode

from api.auth import allowed
from api.connection import Orders
from api.errors import ApiError
from domain.access import Action
from domain.lifecycle import OrderStatus
from starter.client import WORKFLOW, OrderSummary, summary
from starter.client_errors import translated

router = APIRouter(tags=["orders"])

# Search attribute values are quoted into the query: only values that cannot break out of the quotes.
CustomerId = Annotated[str, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class OrderPage(BaseModel):
    orders: list[OrderSummary]
    next_page_token: str | None


def visibility_query(
    status: OrderStatus | None, customer: str | None, needs_attention: bool | None, pending: str | None
) -> str:
    clauses = [f'WorkflowType="{WORKFLOW}"']
    clauses += [f'OrderStatus="{status.value}"'] if status else []
    clauses += [f'CustomerId="{customer}"'] if customer else []
    clauses += [f"NeedsAttention={'true' if needs_attention else 'false'}"] if needs_attention is not None else []
    clauses += [f'PendingCancellation="{pending}"'] if pending else []
    return " AND ".join(clauses)


@router.get("/orders", dependencies=[allowed(Action.LIST)])
async def list_orders(
    orders: Orders,
    status: OrderStatus | None = None,
    customer: CustomerId | None = None,
    needs_attention: bool | None = None,
    pending: Literal["PENDING_REVIEW", "INTERCEPT_REQUESTED"] | None = None,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    page_token: str | None = None,
) -> OrderPage:
    """Orders, newest first, found by their search attributes; pass `next_page_token` back for the next page."""
    query = visibility_query(status, customer, needs_attention, pending)
    token = _decoded(page_token) if page_token else None
    executions = orders.client.list_workflows(query, page_size=page_size, next_page_token=token)
    try:
        # The facade translates the SDK's errors; a listing is about no one order, hence no order id.
        async with translated("", orders.address):
            await executions.fetch_next_page()
    except RPCError as error:
        if error.status is not RPCStatusCode.INVALID_ARGUMENT:
            raise
        raise ApiError(422, "invalid", "page_token: not a token this API gave out") from None
    page = executions.current_page or []
    following = executions.next_page_token
    return OrderPage(
        orders=[summary(execution) for execution in page],
        next_page_token=base64.urlsafe_b64encode(following).decode() if following else None,
    )


def _decoded(token: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(token.encode())
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid", "page_token: not a token this API gave out") from None
