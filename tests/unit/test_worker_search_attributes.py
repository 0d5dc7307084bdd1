"""The worker registers its search attributes, and carries on where it may not administer the namespace."""

from types import SimpleNamespace

import pytest
from structlog.testing import capture_logs
from temporalio.service import RPCError, RPCStatusCode

from worker import ensure_search_attributes


class Refusing:
    def __init__(self, status: RPCStatusCode) -> None:
        self.status = status

    async def list_search_attributes(self, request: object) -> object:
        raise RPCError("not allowed", self.status, b"")


def client_refusing(status: RPCStatusCode) -> object:
    return SimpleNamespace(namespace="default", operator_service=Refusing(status))


@pytest.mark.parametrize("status", [RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED])
async def test_a_namespace_the_worker_may_not_administer_is_left_to_an_operator(status: RPCStatusCode) -> None:
    with capture_logs() as logs:
        await ensure_search_attributes(client_refusing(status))  # type: ignore[arg-type]

    assert [entry["event"] for entry in logs] == ["worker.search_attributes_unchecked"]
    assert "PendingCancellation" in logs[0]["needed"]


async def test_a_server_that_cannot_be_reached_stops_the_worker() -> None:
    with pytest.raises(RPCError):
        await ensure_search_attributes(client_refusing(RPCStatusCode.UNAVAILABLE))  # type: ignore[arg-type]
