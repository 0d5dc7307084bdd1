"""Settings from the environment (prefix ORDERS_), with defaults that run on one machine."""

from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.webhook_subscribers import parse_subscribers


class Settings(BaseSettings):
    """Where everything is. Every field can be set as ORDERS_<FIELD> (e.g. ORDERS_TEMPORAL_ADDRESS)."""

    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    # Read Temporal's client configuration (TEMPORAL_* and TOML profiles, see runtime.client_config);
    # off for `orders run` and the tests' systems, which talk to the dev server they start themselves.
    temporal_profiles: bool = True
    task_queue: str = "orders"
    temporal_ui_port: int = 8233
    # The worker's Prometheus endpoint (http://HOST:PORT/metrics); `orders run --workers N` gives
    # worker k the port PORT+k-1. 0.0.0.0 in a container, so that Prometheus can reach it.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    metrics_gauge_interval_s: float = 15.0
    sandbox_url: str = "http://127.0.0.1:8088"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "orders@shop.example"
    inventory_db_url: str = "sqlite+aiosqlite:///var/inventory.db"
    var_dir: Path = Path("var")
    log_format: Literal["auto", "console", "json"] = "auto"
    log_level: str = "INFO"
    # Faults the stand-ins (and the worker's inventory) inject, as a spec: runtime/fault_spec.py.
    faults: str = ""
    # The payload codec (runtime.codec): keys as `id:base64key,...` (the first encrypts), else from the file.
    codec_keys: str = ""
    codec_keys_file: Path | None = None  # default <var_dir>/codec-keys.txt
    codec_host: str = "127.0.0.1"
    codec_port: int = 8089
    codec_token: str = ""  # when set, the codec server asks for `Authorization: Bearer <token>`
    codec_origins: str = ""  # browser origins allowed besides the dev server's UI, comma-separated

    @model_validator(mode="after")
    def _keys_file_in_var_dir(self) -> "Settings":
        # Resolved here, so children given these settings as ORDERS_* variables read the same file.
        if self.codec_keys_file is None:
            self.codec_keys_file = self.var_dir / "codec-keys.txt"
        return self
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # The carrier signs its webhooks with it (sandbox.carrier_webhook) and the API checks them; a
    # demo value, so that `make run` works as cloned: set your own anywhere but on your machine.
    carrier_webhook_secret: str = "whsec_carrier_demo"
    # Who is told of order events, with the secret each POST is signed with: runtime.webhook_subscribers.
    webhook_subscribers: str = ""

    @field_validator("webhook_subscribers")
    @classmethod
    def _subscribers_readable(cls, configured: str) -> str:
        parse_subscribers(configured)
        return configured

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"
