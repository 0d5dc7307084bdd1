"""Where and how to connect to Temporal: Temporal's standard client configuration, with ORDERS_* over it.

One release runs against the dev server, a self-hosted cluster with mutual TLS, or Temporal Cloud
with an API key, with no code change: `temporalio.envconfig` reads the TOML profiles the Temporal
CLI shares (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) and the TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_API_KEY and TEMPORAL_TLS_* variables over them. ORDERS_TEMPORAL_ADDRESS and
ORDERS_TEMPORAL_NAMESPACE, when set, win over both (they are this product's own, narrower
settings); unset, the product's defaults fill in what no profile names.
"""

from pydantic import ValidationError
from temporalio.envconfig import ClientConfigProfile, ClientConnectConfig

from runtime.settings import Settings

SOURCE = "Temporal client configuration (TEMPORAL_* or its TOML profile)"


class ClientConfigError(ValueError):
    """Temporal's client configuration names something that cannot be used (a missing certificate, a bad TOML file)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{SOURCE}: {problem}")
        self.problem = problem


def client_config(settings: Settings) -> ClientConnectConfig:
    """The keyword arguments of `Client.connect` that say where Temporal is and how to reach it."""
    config = ClientConnectConfig()
    if settings.temporal_profiles:
        try:
            config = ClientConfigProfile.load().to_client_connect_config()
        except (OSError, ValueError, RuntimeError, ValidationError) as error:
            raise ClientConfigError(str(error)) from None
    given = settings.model_fields_set
    if "temporal_address" in given or "target_host" not in config:
        config["target_host"] = settings.temporal_address
    if "temporal_namespace" in given or "namespace" not in config:
        config["namespace"] = settings.temporal_namespace
    return config


def address_setting(settings: Settings) -> str:
    """The variable the address came from, for a message about a bad one."""
    return "ORDERS_TEMPORAL_ADDRESS" if "temporal_address" in settings.model_fields_set else "TEMPORAL_ADDRESS"
