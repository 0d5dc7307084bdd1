"""Child processes with a log file each, and the port checks that come before starting them."""

import errno
import os
import random
import socket
import subprocess
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

from starter.errors import CliError


class PortTaken(CliError):
    """A port the system needs is in use; the message names it, its owner and the setting that moves it."""


class UnresolvableHost(CliError):
    """A host no address can be found for: a typo in a setting, not a bug."""

    def __init__(self, host: str, problem: str) -> None:
        super().__init__(f"host {host!r} does not resolve ({problem}): check the ORDERS_* setting that names it")
        self.host = host
        self.problem = problem


def listen_address(host: str, port: int) -> tuple[socket.AddressFamily, tuple]:
    """The family and socket address a server binds for host:port; IPv6 hosts (`::1`) need AF_INET6."""
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise UnresolvableHost(host, error.strerror or str(error)) from None
    return family, address


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (SO_REUSEADDR, as the servers themselves bind)."""
    family, address = listen_address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for tests that run a second system beside the first).

    Chosen below the kernel's ephemeral range: a port from bind(0) is one the kernel also hands out
    as the local end of outgoing connections and to servers that ask for any port (the Temporal dev
    server's internal services), so it could be taken again before our child binds it (seen: the
    API exited with 'address already in use'). Each port is handed out once per process.
    """
    low, _ = _ephemeral_range()
    while True:
        port = _picker.randrange(_LOWEST_PICKED, low)
        if port not in _handed_out and port_free(host, port):
            _handed_out.add(port)
            return port


_LOWEST_PICKED = 10_000
_handed_out: set[int] = set()
_picker = random.Random()  # its own, so a test that seeds the global generator cannot make two runs pick alike


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32_768, 60_999  # Linux's default


# Whether a child is ready: it answers (the server takes calls, the worker polls), not merely runs.
Probe = Callable[["Child"], Awaitable[bool]]


class Child:
    """One child process whose stdout and stderr go to `log`, with the probe that says it is ready.

    start() again after it exited runs a new process on the same command, environment and log
    (appended to): that is how the supervisor restarts it. stop() is terminate, wait, kill.
    """

    def __init__(
        self, name: str, argv: Sequence[str], *, log: Path, env: Mapping[str, str], cwd: Path, ready: Probe
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self._env = dict(env)
        self._cwd = cwd
        self._ready = ready
        self.process: subprocess.Popen[bytes] | None = None

    async def is_ready(self) -> bool:
        return await self._ready(self)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            # A session of its own: Ctrl-C in the terminal reaches only the supervisor, which
            # then stops the children in order (worker before the server it talks to).
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self._env,
                cwd=self._cwd,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def exit_code(self) -> int | None:
        """None while it runs (or before it started)."""
        return None if self.process is None else self.process.poll()

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def last_line(self) -> str:
        """The last non-empty line of the log, to say why a child failed in one line."""
        try:
            with self.log.open("rb") as log:
                log.seek(max(0, os.path.getsize(self.log) - 4096))
                lines = [line.strip() for line in log.read().decode(errors="replace").splitlines()]
        except OSError:
            return ""
        return next((line for line in reversed(lines) if line), "")[:300]

