"""The idempotency key of every side effect an order sets off, each spelled here once.

A key tells a third party "this is the request you already had": an order asks again under the
key it used before, after a lost answer, a retry or a worker crash, and the third party answers
for what it did instead of doing it twice. Changing a key of an order in flight (renaming the
enum member it used to be derived from would do it) would refund, ship or mail twice. So every
name below is a literal, not an enum's value, and tests/unit/test_keys.py pins each one.
"""

import hashlib
import json

from pydantic import BaseModel

from domain.cancellation import Step
from domain.placement import idempotency_key

# Forward steps, by the activity that carries them out.
_FORWARD = {
    "authorize_payment": "authorize",
    "reserve_stock": "reserve",
    "capture_payment": "capture",
    "create_shipment": "label",
    "ship_stock": "ship",
}

_COMPENSATIONS = {
    Step.VOID_LABEL: "void_label",
    Step.REQUEST_INTERCEPT: "request_intercept",
    Step.RESTOCK_RETURNED: "restock_returned",
    Step.REFUND_PAYMENT: "refund_payment",
    Step.VOID_AUTHORIZATION: "void_authorization",
    Step.RELEASE_STOCK: "release_stock",
}


def forward(order_id: str, activity: str) -> str:
    """The key of a forward step, the same on every try until the third party says no."""
    return idempotency_key(order_id, _FORWARD[activity])


def forward_retry(order_id: str, activity: str, refusals: int) -> str:
    """A forward step asked again after the third party said no: its "no" is stored under the old key."""
    return f"{idempotency_key(order_id, activity)}-retry-{refusals}"


def capture(order_id: str, reauthorizations: int) -> str:
    """The capture's key: on the first hold the forward step's; on a renewed hold a new one, as a
    capture the gateway refused for a lapsed hold has that refusal stored under the first key."""
    if reauthorizations == 0:
        return forward(order_id, "capture_payment")
    return idempotency_key(order_id, f"capture-on-reauthorization-{reauthorizations}")


def reauthorize(order_id: str, reauthorization: int) -> str:
    """A new hold asked for after the order's earlier one lapsed (the first is 1)."""
    return idempotency_key(order_id, f"reauthorize-{reauthorization}")


def pickup(order_id: str, *, hold: bool, request_id: str) -> str:
    """Holding a labelled parcel back for a review, or releasing it."""
    return idempotency_key(order_id, "hold_pickup" if hold else "release_pickup", request_id)


def compensation(order_id: str, step: Step, request_id: str, attempt: int) -> str:
    """A compensation of one request; each refusal by the third party moves it to the next attempt."""
    name = _COMPENSATIONS[step] + (f"-{attempt}" if attempt else "")
    return idempotency_key(order_id, name, request_id)


def store_credit(order_id: str, request_id: str, attempt: int) -> str:
    """Store credit a person chose for money the card refused."""
    return idempotency_key(order_id, f"store_credit-{attempt}", request_id)


def update_id(name: str, request_id: str, message: BaseModel) -> str:
    """The Temporal update id a client sends `message` (a request under `request_id`) with.

    A repeat of the very same request gets the same id, so the server answers it from the first
    and the order's history does not grow. The digest of everything the request asks makes a
    request_id reused with other parameters a new update, which the order's validator refuses.
    """
    canonical = json.dumps(message.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return f"{name}:{request_id}:{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"
