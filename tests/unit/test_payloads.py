"""Payload conversion shares its pydantic type adapters across the converters a worker makes per workflow run."""

from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter

from domain.placement import PlaceOrder
from runtime.payloads import SharedPydanticPayloadConverter
from runtime.workflow_runner import OUR_MODULES, workflow_runner
from tests.unit.factories import place_order


def json_converter(converter: SharedPydanticPayloadConverter) -> PydanticJSONPlainPayloadConverter:
    [found] = [c for c in converter.converters.values() if isinstance(c, PydanticJSONPlainPayloadConverter)]
    return found


def test_every_converter_uses_the_one_json_converter_and_its_cache() -> None:
    first, second = SharedPydanticPayloadConverter(), SharedPydanticPayloadConverter()

    assert json_converter(first) is json_converter(second)


def test_an_order_round_trips_through_a_fresh_converter() -> None:
    command = place_order()
    [payload] = SharedPydanticPayloadConverter().to_payloads([command])

    [back] = SharedPydanticPayloadConverter().from_payloads([payload], [PlaceOrder])

    assert back == command


def test_the_runner_passes_our_packages_and_the_named_ones_through() -> None:
    restrictions = workflow_runner("starter.bench_bare").restrictions

    assert {*OUR_MODULES, "starter.bench_bare"} <= restrictions.passthrough_modules
