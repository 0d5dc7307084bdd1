"""Telling a third party's considered "no" from "not now" in its HTTP answers (Stripe's error shape)."""

from typing import Any

import httpx

# 4xx answers that mean "not now" rather than "no": left to the activity's retry policy like a 5xx.
TRANSIENT_STATUSES = frozenset({408, 425, 429})


def error_of(response: httpx.Response) -> dict[str, Any] | None:
    """The `error` object of a refusal, or None when the body is not one (a proxy's page, say)."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    return error if isinstance(error, dict) else None


def key_in_flight(response: httpx.Response, error: dict[str, Any]) -> bool:
    """Stripe's 409 `idempotency_error`: another request under the same key is still running (an
    earlier attempt that timed out on our side). Its answer will be replayed: ask again, same key."""
    return response.status_code == 409 and error.get("type") == "idempotency_error"


def refusal(response: httpx.Response, party: str) -> dict[str, Any]:
    """The error object of a failed answer that is `party`'s considered "no"; anything else (a 5xx,
    throttling, a body not in the error shape, a key still in flight) raises, to be retried."""
    error = error_of(response)
    transient = response.status_code >= 500 or response.status_code in TRANSIENT_STATUSES
    if error is None or transient or key_in_flight(response, error):
        # Not a considered "no": transient, or a fault an operator must fix; retrying is right.
        raise httpx.HTTPStatusError(
            f"{party} answered HTTP {response.status_code}: {response.text[:300]}",
            request=response.request,
            response=response,
        )
    return error
