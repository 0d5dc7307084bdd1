"""`orders codec`: Temporal's remote-codec protocol over HTTP, so the Web UI and the CLI show orders decoded.

The UI (started with `--ui-codec-endpoint`) and `temporal ... --codec-endpoint` POST
`{"payloads": [...]}` (Payloads in protobuf JSON) to /decode or /encode and show what comes back.
The browser calls it from the UI's origin, hence CORS for exactly those origins. With
ORDERS_CODEC_TOKEN set, a request must carry `Authorization: Bearer <token>`: whoever can reach
this server can read every customer's data, so outside one developer's machine set a token.
"""

import hmac
from collections.abc import Awaitable, Callable

import structlog
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from runtime.codec import CodecKeyError, EncryptionCodec, UndecryptablePayload, load_keys
from runtime.logs import configure_logging
from runtime.settings import Settings
from starter.errors import CliError

log = structlog.get_logger("codec")

Transform = Callable[[list[Payload]], Awaitable[list[Payload]]]


def allowed_origins(settings: Settings) -> list[str]:
    """The dev server's UI under both names a browser may use for it, and any configured besides."""
    port = settings.temporal_ui_port
    extra = [origin.strip().rstrip("/") for origin in settings.codec_origins.split(",") if origin.strip()]
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}", *extra]


def reason(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


def create_codec_app(codec: PayloadCodec, *, origins: list[str], token: str = "") -> FastAPI:
    app = FastAPI(title="Order payload codec server", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_credentials=True,  # the UI's "include cross-origin credentials"
        allow_methods=["POST"],
        allow_headers=["Content-Type", "X-Namespace", "Authorization"],
    )

    def authorized(request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return not token or hmac.compare_digest(given.encode(), f"Bearer {token}".encode())

    async def answer(request: Request, transform: Transform) -> Response:
        if not authorized(request):
            return JSONResponse(
                {"message": "missing or wrong bearer token"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
        except (json_format.ParseError, UnicodeDecodeError) as error:
            return reason(400, f'expected {{"payloads": [...]}} in protobuf JSON: {str(error)[:200]}')
        try:
            result = Payloads(payloads=await transform(list(payloads.payloads)))
        except (CodecKeyError, UndecryptablePayload) as error:
            log.warning("codec.refused", path=request.url.path, problem=str(error))
            return reason(422, str(error))
        return Response(json_format.MessageToJson(result), media_type="application/json")

    @app.post("/decode")
    async def decode(request: Request) -> Response:
        return await answer(request, codec.decode)

    @app.post("/encode")
    async def encode(request: Request) -> Response:
        return await answer(request, codec.encode)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def serve(settings: Settings) -> None:
    """Serve the codec until SIGINT or SIGTERM (uvicorn handles both)."""
    configure_logging(settings, service="codec")
    try:
        keys = load_keys(settings)
    except CodecKeyError as error:
        raise CliError(str(error)) from None
    app = create_codec_app(EncryptionCodec(keys), origins=allowed_origins(settings), token=settings.codec_token)
    log.info("codec.started", port=settings.codec_port, origins=allowed_origins(settings), token=bool(settings.codec_token))
    config = uvicorn.Config(app, host=settings.codec_host, port=settings.codec_port, log_config=None, access_log=False)
    await uvicorn.Server(config).serve()
