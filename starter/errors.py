"""Errors the command line turns into one line on stderr: each says what to do next."""


class CliError(Exception):
    """A problem the user can fix; its message is printed as is, with no traceback."""


class TemporalUnreachable(CliError):
    def __init__(self, address: str) -> None:
        super().__init__(f"cannot reach Temporal at {address}: start it with `make run`")


class SandboxUnreachable(CliError):
    def __init__(self, url: str) -> None:
        super().__init__(f"cannot reach the sandbox at {url}: start it with `make run`")


class OrderNotFound(CliError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} not found")


class NoWorker(CliError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no worker answered for order {order_id}: is `orders worker` (or `make run`) running?")
