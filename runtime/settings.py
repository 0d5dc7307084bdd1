"""Settings from the environment (prefix ORDERS_), with defaults that run on one machine."""

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where everything is. Every field can be set as ORDERS_<FIELD> (e.g. ORDERS_TEMPORAL_ADDRESS)."""

    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "orders"
    temporal_ui_port: int = 8233
    sandbox_url: str = "http://127.0.0.1:8088"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "orders@shop.example"
    inventory_db_url: str = "sqlite+aiosqlite:///var/inventory.db"
    var_dir: Path = Path("var")
    log_format: Literal["auto", "console", "json"] = "auto"
    log_level: str = "INFO"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # The carrier signs its webhooks with it (sandbox.carrier_webhook) and the API checks them; a
    # demo value, so that `make run` works as cloned: set your own anywhere but on your machine.
    carrier_webhook_secret: str = "whsec_carrier_demo"

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"
