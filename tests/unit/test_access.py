"""Roles: what each API caller may do, and as whom it may cancel."""

import pytest

from domain.access import Action, Forbidden, Role, authorize, authorize_cancellation, role_for, role_to_cancel
from domain.requests import CancellationRequest, CancelReason, RequestedBy


def request(requested_by: RequestedBy, reason: CancelReason = CancelReason.CUSTOMER) -> CancellationRequest:
    return CancellationRequest(request_id="r-1", reason=reason, requested_by=requested_by)


def test_an_admin_may_do_everything():
    for action in Action:
        authorize(Role.ADMIN, action)


def test_a_carrier_may_only_post_its_webhook():
    authorize(Role.CARRIER, Action.CARRIER_WEBHOOK)

    for action in set(Action) - {Action.CARRIER_WEBHOOK}:
        with pytest.raises(Forbidden, match="carrier role may not"):
            authorize(Role.CARRIER, action)


@pytest.mark.parametrize(
    ("role", "action"),
    [(Role.STOREFRONT, Action.LIST), (Role.STOREFRONT, Action.REVIEW), (Role.FRAUD, Action.RESOLVE),
     (Role.SUPPORT, Action.PLACE), (Role.SUPPORT, Action.CARRIER_WEBHOOK)],
)
def test_a_role_acting_outside_its_grants_is_forbidden(role: Role, action: Action):
    with pytest.raises(Forbidden):
        authorize(role, action)


def test_a_storefront_cancels_only_for_the_customer():
    authorize_cancellation(Role.STOREFRONT, request(RequestedBy.CUSTOMER))

    with pytest.raises(Forbidden, match="requested_by=customer"):
        authorize_cancellation(Role.STOREFRONT, request(RequestedBy.CUSTOMER_SERVICE))


def test_support_cancels_as_customer_service():
    authorize_cancellation(Role.SUPPORT, request(RequestedBy.CUSTOMER_SERVICE, CancelReason.STAFF))

    with pytest.raises(Forbidden, match="requested_by=customer_service"):
        authorize_cancellation(Role.SUPPORT, request(RequestedBy.SYSTEM))


def test_a_fraud_check_cancels_as_the_system_for_fraud_only():
    authorize_cancellation(Role.FRAUD, request(RequestedBy.SYSTEM, CancelReason.FRAUD))

    with pytest.raises(Forbidden, match="reason FRAUD"):
        authorize_cancellation(Role.FRAUD, request(RequestedBy.SYSTEM, CancelReason.OTHER))
    with pytest.raises(Forbidden, match="requested_by=system"):
        authorize_cancellation(Role.FRAUD, request(RequestedBy.CUSTOMER, CancelReason.FRAUD))


def test_an_admin_cancels_as_anyone():
    for requested_by in RequestedBy:
        authorize_cancellation(Role.ADMIN, request(requested_by, CancelReason.OTHER))


@pytest.mark.parametrize(
    ("action", "role"),
    [(Action.PLACE, Role.STOREFRONT), (Action.VIEW, Role.STOREFRONT), (Action.LIST, Role.SUPPORT),
     (Action.REVIEW, Role.SUPPORT), (Action.RESOLVE, Role.SUPPORT), (Action.CARRIER_WEBHOOK, Role.CARRIER),
     (Action.REPORT_EVENT, Role.ADMIN)],
)
def test_a_client_acting_for_others_uses_the_narrowest_role_allowed(action: Action, role: Role):
    assert role_for(action) is role


@pytest.mark.parametrize(
    ("requested_by", "reason", "role"),
    [(RequestedBy.CUSTOMER, CancelReason.CUSTOMER, Role.STOREFRONT),
     (RequestedBy.CUSTOMER_SERVICE, CancelReason.STAFF, Role.SUPPORT),
     (RequestedBy.SYSTEM, CancelReason.FRAUD, Role.FRAUD),
     (RequestedBy.SYSTEM, CancelReason.INVENTORY, Role.ADMIN)],
)
def test_a_cancellation_is_sent_with_the_key_of_the_party_it_stands_for(
    requested_by: RequestedBy, reason: CancelReason, role: Role
):
    chosen = role_to_cancel(request(requested_by, reason))

    assert chosen is role
    authorize_cancellation(chosen, request(requested_by, reason))
