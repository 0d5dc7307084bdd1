"""Customer data encrypted in Temporal: an AES-GCM payload codec over the keys the environment names.

Every payload a client or worker of the product writes (an order's input with the customer's e-mail
and address, activity arguments, results, signals, updates) leaves the process encrypted, so the
Temporal server and its database hold only ciphertext; the codec server (`orders codec`) decrypts
for the Web UI and the Temporal CLI of those allowed to read. Keys are configured, never in code:
`ORDERS_CODEC_KEYS` (`id:base64key,...`) or one `id:base64key` a line in `ORDERS_CODEC_KEYS_FILE`.
The first key listed encrypts; every key listed decrypts, so a rotation puts the new key first and
keeps the old ones for as long as histories written under them live.
"""

import base64
import binascii
import dataclasses
import os
import re
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from runtime.payloads import SharedPydanticPayloadConverter
from runtime.settings import Settings

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12  # AES-GCM's standard nonce; random per payload, so one key never reuses one
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
KEYS_HELP = "set ORDERS_CODEC_KEYS=id:base64key[,id:base64key...] or ORDERS_CODEC_KEYS_FILE (one id:base64key a line)"


class CodecKeyError(Exception):
    """The keys are missing or malformed, or a payload names a key that is not configured."""


class UndecryptablePayload(ValueError):
    """A payload failed AES-GCM authentication: it was altered, or its key id names another key."""


@dataclasses.dataclass(frozen=True)
class CodecKeys:
    """Key id -> 256-bit AES key, in the order given: the first encrypts, all decrypt."""

    keys: dict[str, bytes]

    def __post_init__(self) -> None:
        if not self.keys:
            raise CodecKeyError(f"no encryption key configured: {KEYS_HELP}")

    @property
    def current(self) -> str:
        return next(iter(self.keys))

    @classmethod
    def parse(cls, entries: Sequence[str], *, source: str) -> "CodecKeys":
        keys: dict[str, bytes] = {}
        for entry in (entry.strip() for entry in entries):
            if not entry or entry.startswith("#"):
                continue
            key_id, _, encoded = entry.partition(":")
            keys[_checked_id(key_id, source)] = _decoded_key(key_id, encoded.strip(), source)
        return cls(keys)


def _checked_id(key_id: str, source: str) -> str:
    if not KEY_ID_PATTERN.match(key_id.strip()):
        raise CodecKeyError(f"{source}: key id {key_id.strip()!r} is not 1-64 of A-Z a-z 0-9 _ . -; {KEYS_HELP}")
    return key_id.strip()


def _decoded_key(key_id: str, encoded: str, source: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        key = b""
    if len(key) != 32:
        raise CodecKeyError(f"{source}: key {key_id.strip()!r} is not 32 bytes in base64 (AES-256); {KEYS_HELP}")
    return key


def new_key_line(key_id: str) -> str:
    """A fresh random key as a keys-file line (what `orders run` writes when no key is configured)."""
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def keys_file(settings: Settings) -> Path:
    return settings.codec_keys_file or settings.var_dir / "codec-keys.txt"  # Settings resolves it; mypy cannot know


def load_keys(settings: Settings) -> CodecKeys:
    """The keys from ORDERS_CODEC_KEYS if set, else from the keys file."""
    if settings.codec_keys:
        return CodecKeys.parse(settings.codec_keys.split(","), source="ORDERS_CODEC_KEYS")
    path = keys_file(settings)
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        raise CodecKeyError(f"no encryption keys: {path} does not exist; {KEYS_HELP} (`orders run` creates one)") from None
    return CodecKeys.parse(lines, source=str(path))


def ensure_dev_key(settings: Settings) -> bool:
    """Create the keys file with one random key when no key is configured at all; whether it did."""
    path = keys_file(settings)
    if settings.codec_keys or path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created unreadable to others before the key is written: it decrypts every order.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write("# AES-256 keys of the payload codec: the first encrypts, all decrypt (see README).\n")
        out.write(new_key_line("dev-1") + "\n")
    return True


class EncryptionCodec(PayloadCodec):
    """AES-GCM over each whole payload (metadata and data), with the key id in the new payload's metadata."""

    def __init__(self, keys: CodecKeys) -> None:
        self._keys = keys
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key_id = self._keys.current
        return [
            Payload(
                metadata={"encoding": ENCODING, KEY_ID: key_id.encode()},
                data=self._encrypt(key_id, payload.SerializeToString()),
            )
            for payload in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)  # written before encryption was on: readable as it is
                continue
            plain = Payload()
            plain.ParseFromString(self._decrypt(payload.metadata.get(KEY_ID, b"").decode(), payload.data))
            decoded.append(plain)
        return decoded

    def _encrypt(self, key_id: str, data: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._ciphers[key_id].encrypt(nonce, data, key_id.encode())

    def _decrypt(self, key_id: str, data: bytes) -> bytes:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            known = ", ".join(self._ciphers)
            raise CodecKeyError(f"payload encrypted with key {key_id!r}, which is not configured (known: {known}); {KEYS_HELP}")
        try:
            return cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], key_id.encode())
        except InvalidTag:
            raise UndecryptablePayload(f"payload under key {key_id!r} failed authentication: altered, or another key") from None


def data_converter(settings: Settings) -> DataConverter:
    """The product's converter: pydantic models to JSON, then encrypted by the configured keys."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=SharedPydanticPayloadConverter,
        payload_codec=EncryptionCodec(load_keys(settings)),
    )
