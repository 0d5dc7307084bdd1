"""Where the product connects: Temporal's client configuration (env and TOML profiles), ORDERS_* over it."""

import os
from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from runtime.client_config import ClientConfigError, address_setting, client_config
from runtime.settings import Settings

CLOUD_PROFILE = """
[profile.cloud]
address = "orders.a1b2c.tmprl.cloud:7233"
namespace = "orders.a1b2c"
api_key = "secret-key"
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer's TEMPORAL_*, ORDERS_* or ~/.config/temporalio/temporal.toml leaks into these tests."""
    for name in list(os.environ):
        if name.startswith(("TEMPORAL_", "ORDERS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(tmp_path / "absent.toml"))


def test_without_any_configuration_the_product_defaults_name_the_local_dev_server() -> None:
    config = client_config(Settings())

    assert config == {"target_host": "127.0.0.1:7233", "namespace": "default"}


def test_temporal_address_namespace_and_api_key_from_the_environment_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal.example:7233")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "shop")
    monkeypatch.setenv("TEMPORAL_API_KEY", "secret-key")

    config = client_config(Settings())

    assert config["target_host"] == "temporal.example:7233"
    assert config["namespace"] == "shop"
    assert config["api_key"] == "secret-key"
    assert config["tls"] is True  # an API key goes only over TLS
    assert address_setting(Settings()) == "TEMPORAL_ADDRESS"


def test_orders_settings_set_explicitly_win_over_temporal_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal.example:7233")
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "shop")
    monkeypatch.setenv("ORDERS_TEMPORAL_ADDRESS", "10.0.0.5:7233")
    monkeypatch.setenv("ORDERS_TEMPORAL_NAMESPACE", "orders")

    config = client_config(Settings())

    assert (config["target_host"], config["namespace"]) == ("10.0.0.5:7233", "orders")
    assert address_setting(Settings()) == "ORDERS_TEMPORAL_ADDRESS"


def test_a_toml_profile_the_temporal_cli_shares_is_chosen_by_temporal_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "temporal.toml").write_text(CLOUD_PROFILE)
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(tmp_path / "temporal.toml"))
    monkeypatch.setenv("TEMPORAL_PROFILE", "cloud")

    config = client_config(Settings())

    assert config == {
        "target_host": "orders.a1b2c.tmprl.cloud:7233",
        "namespace": "orders.a1b2c",
        "api_key": "secret-key",
        "tls": True,
    }


def test_tls_files_from_the_environment_become_the_connections_certificates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("ca.pem", "client.crt", "client.key"):
        (tmp_path / name).write_bytes(name.encode())
    monkeypatch.setenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(tmp_path / "client.crt"))
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_KEY_PATH", str(tmp_path / "client.key"))

    tls = client_config(Settings())["tls"]

    assert isinstance(tls, TLSConfig)
    assert (tls.server_root_ca_cert, tls.client_cert, tls.client_private_key) == (b"ca.pem", b"client.crt", b"client.key")


def test_a_missing_certificate_file_is_a_configuration_error_naming_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", str(tmp_path / "gone.crt"))

    with pytest.raises(ClientConfigError, match="gone.crt"):
        client_config(Settings())


def test_with_profiles_off_temporal_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal.example:7233")
    monkeypatch.setenv("TEMPORAL_API_KEY", "secret-key")

    config = client_config(Settings(temporal_profiles=False))

    assert config == {"target_host": "127.0.0.1:7233", "namespace": "default"}
