"""The port checks `orders run` makes before starting anything: any address family, one line for a bad host."""

import socket

import pytest

from starter.errors import CliError
from starter.processes import port_free


def test_a_port_taken_on_ipv6_loopback_is_seen_as_taken_and_a_free_one_as_free() -> None:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as squatter:
        squatter.bind(("::1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]

        assert port_free("::1", taken) is False
    assert port_free("::1", taken) is True


def test_a_host_that_does_not_resolve_is_a_cli_error_naming_it() -> None:
    with pytest.raises(CliError, match="'no-such-host.invalid' does not resolve"):
        port_free("no-such-host.invalid", 7233)
