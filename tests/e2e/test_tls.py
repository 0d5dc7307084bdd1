"""Mutual TLS for real: the product's clients reach Temporal through a TLS-terminating proxy that
demands a client certificate, configured only by Temporal's standard TEMPORAL_TLS_* variables."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from starter.system import PROJECT_ROOT, System, child_env
from tests.e2e.test_cli import assert_one_line_error
from tests.tls import Authority, MutualTlsProxy, Pair

pytestmark = pytest.mark.e2e


class Certificates:
    def __init__(self, directory: Path) -> None:
        self.authority = Authority(directory)
        self.server = self.authority.issue("temporal-frontend", server=True)
        self.client = self.authority.issue("orders-worker")
        self.stranger = Authority(directory, "someone else's CA").issue("stranger")


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def proxy(system: System, certificates: Certificates) -> Iterator[MutualTlsProxy]:
    with MutualTlsProxy(certificates.authority, certificates.server, system.settings.temporal_address) as running:
        yield running


def tls_env(proxy: MutualTlsProxy, certificates: Certificates, client: Pair | None) -> dict[str, str]:
    """Only Temporal's standard variables say where Temporal is and how to reach it."""
    env = {
        "ORDERS_TEMPORAL_PROFILES": "true",
        "TEMPORAL_ADDRESS": proxy.address,
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(certificates.authority.cert),
        "TEMPORAL_TLS_SERVER_NAME": "localhost",
    }
    if client is not None:
        env |= {"TEMPORAL_TLS_CLIENT_CERT_PATH": str(client.cert), "TEMPORAL_TLS_CLIENT_KEY_PATH": str(client.key)}
    return env


def orders_over_tls(system: System, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`orders` as a user of a TLS cluster runs it: no ORDERS_TEMPORAL_ADDRESS (it would win), TEMPORAL_* instead."""
    base = {name: value for name, value in child_env(system.settings).items() if name != "ORDERS_TEMPORAL_ADDRESS"}
    return subprocess.run(
        [sys.executable, "-m", "starter", *args],
        env={**base, **env},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_order_placed_through_mutual_tls_runs_and_is_listed(system, proxy, certificates) -> None:
    env = tls_env(proxy, certificates, certificates.client)

    placed = orders_over_tls(system, env, "place", "--sku", "MUG-BLUE:1:1250")
    listed = orders_over_tls(system, env, "list")

    assert placed.returncode == 0, placed.stderr
    assert placed.stdout.strip() in listed.stdout


@pytest.mark.parametrize("who", ["missing", "stranger"])
def test_a_client_without_a_trusted_certificate_is_refused_in_one_line(system, proxy, certificates, who) -> None:
    client = certificates.stranger if who == "stranger" else None

    result = orders_over_tls(system, tls_env(proxy, certificates, client), "list")

    assert_one_line_error(result, f"Temporal at {proxy.address} refused this client: it did not accept this client's TLS")
