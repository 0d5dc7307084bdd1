"""Why a connection to Temporal failed, told in one line that says what to do.

The SDK reports every failure to connect as a RuntimeError with the transport's story in its text.
A server that is not there (nothing listening, an unknown host) is told apart from one that took
the connection and then dropped it, which is what a TLS endpoint does with a client certificate
it does not trust, or with a client that speaks no TLS at all.
"""

from temporalio.envconfig import ClientConnectConfig

from starter.errors import CliError, TemporalRefused, TemporalUnreachable

# The transport's words for "nobody answered at that address".
_NOT_THERE = ("tcp connect error", "dns error", "Connection refused", "timed out")


def connect_failure(config: ClientConnectConfig, error: RuntimeError) -> CliError:
    """The CliError for a failed `Client.connect` with `config`."""
    address = config["target_host"]
    text = str(error)
    if any(words in text for words in _NOT_THERE):
        return TemporalUnreachable(address)
    if config.get("tls"):
        return TemporalRefused(
            address,
            "it did not accept this client's TLS: check that TEMPORAL_TLS_CLIENT_CERT_PATH and "
            "TEMPORAL_TLS_CLIENT_KEY_PATH name a certificate its CA signed, and TEMPORAL_TLS_SERVER_CA_CERT_PATH its CA",
        )
    return TemporalRefused(
        address, "it dropped the connection: if it requires TLS, set TEMPORAL_TLS_* or TEMPORAL_API_KEY (see README)"
    )
