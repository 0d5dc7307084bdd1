"""Errors the command line turns into one line on stderr: each says what to do next."""

from pydantic import ValidationError


class CliError(Exception):
    """A problem the user can fix; its message is printed as is, with no traceback."""


class TemporalUnreachable(CliError):
    def __init__(self, address: str) -> None:
        super().__init__(f"cannot reach Temporal at {address}: start it with `make run`")


class TemporalRefused(CliError):
    def __init__(self, address: str, why: str) -> None:
        super().__init__(f"Temporal at {address} refused this client: {why}")


class SandboxUnreachable(CliError):
    def __init__(self, url: str) -> None:
        super().__init__(f"cannot reach the sandbox at {url}: start it with `make run`")


class OrderNotFound(CliError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} not found")


class OrderExists(CliError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} already exists")


class NoWorker(CliError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no worker answered for order {order_id}: is `orders worker` (or `make run`) running?")


class OrderBusy(CliError):
    """Temporal holds at most 10 updates in flight per order (and 2,000 per run): more wait their turn."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} is busy with other requests: try again in a moment (the same request_id is safe)")


class BadSetting(CliError):
    def __init__(self, what: str, problem: str) -> None:
        super().__init__(f"invalid {what}: {problem}; fix it in the environment")

    @classmethod
    def of_settings(cls, error: ValidationError) -> "BadSetting":
        """The first problem of a Settings that failed to load from the environment, named as the variable."""
        first = error.errors()[0]
        name = f"ORDERS_{'_'.join(str(part) for part in first['loc']).upper()}"
        return cls(f"setting {name}={first['input']!r}", first["msg"])
