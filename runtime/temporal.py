"""Connecting to Temporal with the converter every client of this product must use."""

from collections.abc import Iterable

from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.runtime import Runtime

from runtime.client_config import client_config
from runtime.codec import data_converter
from runtime.settings import Settings


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """A client of the configured Temporal (runtime.client_config); `runtime` carries a worker's metrics."""
    return await Client.connect(
        **client_config(settings),
        data_converter=data_converter(settings),
        runtime=runtime,
    )


async def register_search_attributes(client: Client, keys: Iterable[SearchAttributeKey]) -> list[str]:
    """Add to the namespace the search attributes it lacks, and name them.

    A workflow task that upserts an attribute the namespace does not know fails, so the
    attributes a release adds must be registered before its workers run, also on a server
    that kept the namespace of an earlier release.
    """
    known = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    missing = {key.name: key.indexed_value_type for key in keys if key.name not in known.custom_attributes}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)
