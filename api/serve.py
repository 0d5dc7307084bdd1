"""`orders api`: serve the API until SIGINT or SIGTERM; on first start, write the demo keys."""

import structlog
import uvicorn

from api.app import create_app
from api.store import demo_keys
from runtime.logs import configure_logging
from runtime.settings import Settings

log = structlog.get_logger("api")


def keys_file(settings: Settings) -> str:
    return str(settings.var_dir / "api-keys.txt")


async def serve(settings: Settings) -> None:
    configure_logging(settings, service="api")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    if demo_keys(app.state.store, settings.var_dir / "api-keys.txt"):
        log.info("api.demo_keys_written", file=keys_file(settings))  # where they are, never the keys
    config = uvicorn.Config(app, host=settings.api_host, port=settings.api_port, log_config=None, access_log=False)
    log.info("api.started", url=settings.api_url, docs=f"{settings.api_url}/docs")
    await uvicorn.Server(config).serve()
