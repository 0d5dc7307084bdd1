"""Temporal test servers started from the binaries the venv installed (no downloads here)."""

import sys
from pathlib import Path

from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from starter.system import REPORTED_PROBLEMS
from workflows import search

BIN = Path(sys.executable).parent


async def local_server() -> WorkflowEnvironment:
    """A real dev server (in memory): updates and visibility behave as in production."""
    return await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(BIN / "temporal"),
        search_attributes=list(search.ALL),
        dev_server_extra_args=["--dynamic-config-value", f"{REPORTED_PROBLEMS}=2"],
    )


async def time_skipping_server() -> WorkflowEnvironment:
    """The time-skipping server, for windows and deadlines of minutes to weeks."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    )
    # It knows no search attributes; without these every workflow task would fail.
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: key.indexed_value_type for key in search.ALL},
        )
    )
    return env
