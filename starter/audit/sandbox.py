"""Reading the stand-ins' own HTTP listings (the gateway's, the carrier's, the mailbox's), not their
database files, so the audit reads what a real third party's API would show it."""

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from starter.errors import CliError, SandboxUnreachable

T = TypeVar("T")


async def listing(http: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    """Every record a listing route holds (`{"data": [...]}` or a bare list)."""
    try:
        response = await http.get(path)
    except httpx.TransportError:
        raise SandboxUnreachable(str(http.base_url)) from None
    if response.status_code != 200:
        raise CliError(f"the sandbox answered {response.status_code} to GET {path}: {response.text[:200]}")
    body = response.json()
    return body["data"] if isinstance(body, dict) else body


def per_order(records: list[dict[str, Any]], fact: Callable[[dict[str, Any]], T]) -> dict[str, list[T]]:
    """Records grouped by the order they name, each made into a fact."""
    grouped: dict[str, list[T]] = defaultdict(list)
    for record in records:
        grouped[str(record.get("order_id"))].append(fact(record))
    return grouped
