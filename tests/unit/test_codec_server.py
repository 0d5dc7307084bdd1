"""The codec server speaks Temporal's remote-codec protocol, to the UI's origin only, and to the token holder only."""

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from runtime.codec import CodecKeys, EncryptionCodec, new_key_line
from runtime.settings import Settings
from starter.codec_server import allowed_origins, create_codec_app

UI = "http://localhost:8233"
CODEC = EncryptionCodec(CodecKeys.parse([new_key_line("k1")], source="test"))


def client(token: str = "") -> httpx.AsyncClient:
    app = create_codec_app(CODEC, origins=[UI], token=token)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec")


def body(*payloads: Payload) -> str:
    return json_format.MessageToJson(Payloads(payloads=payloads))


def payloads_of(response: httpx.Response) -> list[Payload]:
    return list(json_format.Parse(response.text, Payloads()).payloads)


EMAIL = Payload(metadata={"encoding": b"json/plain"}, data=b'"ada@example.com"')


async def test_decode_returns_what_encode_encrypted() -> None:
    async with client() as codec:
        encoded = await codec.post("/encode", content=body(EMAIL))
        decoded = await codec.post("/decode", content=body(*payloads_of(encoded)))

    assert encoded.status_code == decoded.status_code == 200
    assert b"ada@example.com" not in encoded.content
    assert payloads_of(decoded) == [EMAIL]


async def test_the_uis_preflight_is_allowed_for_its_origin_only() -> None:
    headers = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace"}

    async with client() as codec:
        ours = await codec.options("/decode", headers={**headers, "Origin": UI})
        theirs = await codec.options("/decode", headers={**headers, "Origin": "http://evil.example"})

    assert ours.status_code == 200
    assert ours.headers["access-control-allow-origin"] == UI
    assert "access-control-allow-origin" not in theirs.headers


async def test_with_a_token_configured_a_request_without_it_is_refused() -> None:
    async with client(token="s3cret") as codec:
        anonymous = await codec.post("/decode", content=body(EMAIL))
        wrong = await codec.post("/decode", content=body(EMAIL), headers={"Authorization": "Bearer guess"})
        allowed = await codec.post("/decode", content=body(EMAIL), headers={"Authorization": "Bearer s3cret"})

    assert (anonymous.status_code, wrong.status_code, allowed.status_code) == (401, 401, 200)
    assert anonymous.json() == {"message": "missing or wrong bearer token"}


@pytest.mark.parametrize("content", ["not json", '{"payloads": 3}', '{"nonsense": []}'])
async def test_a_malformed_body_gets_400_with_a_reason(content: str) -> None:
    async with client() as codec:
        response = await codec.post("/decode", content=content)

    assert response.status_code == 400
    assert "payloads" in response.json()["message"]


async def test_a_payload_under_an_unknown_key_gets_422_naming_the_key() -> None:
    [foreign] = await EncryptionCodec(CodecKeys.parse([new_key_line("gone")], source="test")).encode([EMAIL])

    async with client() as codec:
        response = await codec.post("/decode", content=body(foreign))

    assert response.status_code == 422
    assert "'gone'" in response.json()["message"]


def test_origins_are_the_dev_uis_two_names_and_those_configured() -> None:
    settings = Settings(temporal_ui_port=9000, codec_origins="https://ui.example.com/, http://other:8080")

    assert allowed_origins(settings) == [
        "http://localhost:9000",
        "http://127.0.0.1:9000",
        "https://ui.example.com",
        "http://other:8080",
    ]
