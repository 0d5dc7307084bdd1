"""The Forwarder's `send` over Temporal: the carrier's webhook, as the order workflow's signal."""

from datetime import timedelta
from typing import Any

from temporalio.client import Client

from runtime.settings import Settings
from runtime.temporal import connect


class TemporalSignals:
    """Signals `shipment_event` to the workflow `order-<order_id>`.

    It connects on first use, and again on the next call after a failed connect, so that the sandbox
    may start before Temporal does: until then every call fails and the Forwarder backs off.
    """

    def __init__(self, settings: Settings, *, rpc_timeout: timedelta = timedelta(seconds=5)) -> None:
        self._settings = settings
        self._rpc_timeout = rpc_timeout
        self._client: Client | None = None

    async def __call__(self, order_id: str, payload: dict[str, Any]) -> None:
        if self._client is None:
            self._client = await connect(self._settings)
        # The workflow id scheme of starter.client.workflow_id; the sandbox does not import the starter.
        handle = self._client.get_workflow_handle(f"order-{order_id}")
        await handle.signal("shipment_event", payload, rpc_timeout=self._rpc_timeout)
