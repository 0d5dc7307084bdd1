"""The pydantic payload converter, with one cache of type adapters for the whole process.

temporalio's pydantic converter caches a `TypeAdapter` per type, but the worker makes a new converter
for every workflow run it starts, so each order built the adapters of its input, its activities'
results and its messages again (most of the cost of decoding them; measured in docs/bench.md, "What
was tried"). Here every converter shares one JSON converter and so one cache. Adapters are immutable
and pydantic's validation is thread-safe; the keys are the types of our signatures, passed through
the sandbox (runtime.workflow_runner), so the cache stays small.
"""

from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import CompositePayloadConverter, DefaultPayloadConverter, JSONPlainPayloadConverter

# Bounded, as the SDK's own cache: a workflow whose module the sandbox re-imports has new types each run.
_SHARED_JSON = PydanticJSONPlainPayloadConverter(max_cached_type_adapters=256)


class SharedPydanticPayloadConverter(CompositePayloadConverter):
    """The SDK's default converters with JSON through pydantic, all instances over one adapter cache."""

    def __init__(self) -> None:
        super().__init__(
            *(
                _SHARED_JSON if isinstance(converter, JSONPlainPayloadConverter) else converter
                for converter in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )
