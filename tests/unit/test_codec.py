"""The payload codec: what leaves the process is ciphertext under a named key, and only the configured keys read it."""

import base64
import os
import stat
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload

from runtime.codec import (
    ENCODING,
    KEY_ID,
    CodecKeyError,
    CodecKeys,
    EncryptionCodec,
    UndecryptablePayload,
    data_converter,
    ensure_dev_key,
    load_keys,
    new_key_line,
)
from runtime.settings import Settings

OLD = new_key_line("k1")
NEW = new_key_line("k2")


def codec(*lines: str) -> EncryptionCodec:
    return EncryptionCodec(CodecKeys.parse(lines, source="test"))


def plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_encoded_payload_is_ciphertext_under_the_first_key_and_decodes_back() -> None:
    both = codec(NEW, OLD)
    original = plain('{"customer_email": "ada@example.com"}')

    [encoded] = await both.encode([original])
    [decoded] = await both.decode([encoded])

    assert encoded.metadata["encoding"] == ENCODING
    assert encoded.metadata[KEY_ID] == b"k2"
    assert b"ada@example.com" not in encoded.SerializeToString()
    assert decoded == original


async def test_after_a_rotation_payloads_under_the_old_key_still_decode() -> None:
    [written_before] = await codec(OLD).encode([plain('"before"')])

    [decoded] = await codec(NEW, OLD).decode([written_before])

    assert decoded == plain('"before"')


async def test_a_payload_under_a_key_no_longer_configured_fails_naming_the_key() -> None:
    [written_before] = await codec(OLD).encode([plain('"before"')])

    with pytest.raises(CodecKeyError, match="'k1', which is not configured"):
        await codec(NEW).decode([written_before])


async def test_altered_ciphertext_fails_authentication() -> None:
    [encoded] = await codec(NEW).encode([plain('"amount": 100')])
    encoded.data = encoded.data[:-1] + bytes([encoded.data[-1] ^ 1])

    with pytest.raises(UndecryptablePayload, match="failed authentication"):
        await codec(NEW).decode([encoded])


async def test_a_payload_relabelled_with_another_configured_key_id_fails_authentication() -> None:
    [encoded] = await codec(NEW, OLD).encode([plain('"x"')])
    encoded.metadata[KEY_ID] = b"k1"

    with pytest.raises(UndecryptablePayload):
        await codec(NEW, OLD).decode([encoded])


async def test_payloads_written_before_encryption_pass_through_decode_unchanged() -> None:
    old = plain('"unencrypted history"')

    assert await codec(NEW).decode([old]) == [old]


async def test_the_data_converter_encrypts_pydantic_json(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, codec_keys=NEW)

    [payload] = await data_converter(settings).encode([{"customer_email": "ada@example.com"}])

    assert payload.metadata["encoding"] == ENCODING
    assert await data_converter(settings).decode([payload]) == [{"customer_email": "ada@example.com"}]


def test_keys_come_from_the_environment_before_the_file(tmp_path: Path) -> None:
    (tmp_path / "codec-keys.txt").write_text(OLD + "\n")

    assert load_keys(Settings(var_dir=tmp_path, codec_keys=f"{NEW},{OLD}")).current == "k2"
    assert load_keys(Settings(var_dir=tmp_path)).current == "k1"


def test_keys_file_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# rotated on 2026-12-01\n{NEW}\n\n{OLD}\n")

    assert list(load_keys(Settings(var_dir=tmp_path, codec_keys_file=keys)).keys) == ["k2", "k1"]


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("k1:" + base64.b64encode(b"short").decode(), "not 32 bytes"),
        ("k1:not base64!", "not 32 bytes"),
        (":" + base64.b64encode(os.urandom(32)).decode(), "key id ''"),
        (" , ", "no encryption key configured"),
    ],
)
def test_malformed_keys_are_refused_with_what_to_fix(tmp_path: Path, setting: str, problem: str) -> None:
    with pytest.raises(CodecKeyError, match=problem):
        load_keys(Settings(var_dir=tmp_path, codec_keys=setting))


def test_no_keys_at_all_says_how_to_configure_them(tmp_path: Path) -> None:
    with pytest.raises(CodecKeyError, match="ORDERS_CODEC_KEYS"):
        load_keys(Settings(var_dir=tmp_path))


def test_a_dev_key_is_created_once_readable_only_by_its_owner(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)

    created = ensure_dev_key(settings)
    first = load_keys(settings).keys
    again = ensure_dev_key(settings)

    assert (created, again) == (True, False)
    assert load_keys(settings).keys == first
    assert stat.S_IMODE((tmp_path / "codec-keys.txt").stat().st_mode) == 0o600


def test_no_dev_key_file_when_the_environment_configures_keys(tmp_path: Path) -> None:
    assert not ensure_dev_key(Settings(var_dir=tmp_path, codec_keys=NEW))
    assert not (tmp_path / "codec-keys.txt").exists()
