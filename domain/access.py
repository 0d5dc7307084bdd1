"""Who may do what through the API: each caller is one role, bound to its API keys.

A storefront places orders and cancels them only on the customer's behalf; customer service
reviews, resolves, cancels as itself and lists; a fraud check cancels as the system, for FRAUD
only; a carrier only posts its webhook; an admin may do everything.
"""

from enum import StrEnum

from domain.errors import OrderError
from domain.requests import CancellationRequest, CancelReason, RequestedBy


class Role(StrEnum):
    STOREFRONT = "storefront"
    SUPPORT = "support"
    FRAUD = "fraud"
    CARRIER = "carrier"
    ADMIN = "admin"


class Action(StrEnum):
    PLACE = "place orders"
    VIEW = "view an order"
    LIST = "list orders"
    CANCEL = "cancel orders"
    REVIEW = "review cancellations"
    RESOLVE = "resolve orders"
    REPORT_EVENT = "report shipment events"
    CARRIER_WEBHOOK = "post carrier webhooks"


class Forbidden(OrderError):
    """The caller's role does not allow this; nothing was sent to the order."""


_GRANTS: dict[Role, frozenset[Action]] = {
    Role.STOREFRONT: frozenset({Action.PLACE, Action.VIEW, Action.CANCEL}),
    Role.SUPPORT: frozenset({Action.VIEW, Action.LIST, Action.CANCEL, Action.REVIEW, Action.RESOLVE}),
    Role.FRAUD: frozenset({Action.VIEW, Action.CANCEL}),
    Role.CARRIER: frozenset({Action.CARRIER_WEBHOOK}),
    Role.ADMIN: frozenset(Action),
}

# Whom each role may cancel as; an admin is absent because it may cancel as anyone.
_CANCELS_AS: dict[Role, RequestedBy] = {
    Role.STOREFRONT: RequestedBy.CUSTOMER,
    Role.SUPPORT: RequestedBy.CUSTOMER_SERVICE,
    Role.FRAUD: RequestedBy.SYSTEM,
}


def authorize(role: Role, action: Action) -> None:
    if action not in _GRANTS[role]:
        raise Forbidden(f"the {role.value} role may not {action.value}")


def authorize_cancellation(role: Role, request: CancellationRequest) -> None:
    """A role cancels only as the party it stands for (and a fraud check only for FRAUD)."""
    authorize(role, Action.CANCEL)
    acts_as = _CANCELS_AS.get(role)
    if acts_as is not None and request.requested_by is not acts_as:
        raise Forbidden(f"the {role.value} role cancels only with requested_by={acts_as.value}")
    if role is Role.FRAUD and request.reason is not CancelReason.FRAUD:
        raise Forbidden("the fraud role cancels only with reason FRAUD")


# The least a caller needs to be, first: a client acting for others picks the first role that may act.
_LEAST_FIRST = (Role.STOREFRONT, Role.SUPPORT, Role.FRAUD, Role.CARRIER, Role.ADMIN)


def role_for(action: Action) -> Role:
    """The narrowest role that may `action` (an admin only where no other may)."""
    return next(role for role in _LEAST_FIRST if action in _GRANTS[role])


def role_to_cancel(request: CancellationRequest) -> Role:
    """The role whose key may send `request`: the one that stands for its requester, else an admin."""
    return next(role for role in _LEAST_FIRST if _may_cancel(role, request))


def _may_cancel(role: Role, request: CancellationRequest) -> bool:
    try:
        authorize_cancellation(role, request)
    except Forbidden:
        return False
    return True
