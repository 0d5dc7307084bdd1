"""The API's own SQLite file: API keys (hashed), placements by Idempotency-Key, carrier events seen."""

import hashlib
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from domain.access import Role

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (key_hash TEXT PRIMARY KEY, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS placements (idempotency_key TEXT PRIMARY KEY, digest TEXT NOT NULL, order_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS carrier_events (event_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, received_at TEXT NOT NULL);
"""


def key_hash(key: str) -> str:
    # The keys are 32 random bytes: a plain digest is as good as a slow hash against guessing.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiStore:
    """Keys are kept only as their hashes, so the file does not give them away."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        with self._connection() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self._path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            with db:  # one transaction, committed on leaving
                yield db
        finally:
            db.close()

    def new_key(self, role: Role) -> str:
        """A fresh key for `role`, beside the role's other keys (several at once, for rotation)."""
        key = f"ord_{role.value}_{secrets.token_urlsafe(32)}"
        with self._connection() as db:
            db.execute("INSERT INTO api_keys VALUES (?, ?, ?)", (key_hash(key), role.value, _now()))
        return key

    def revoke(self, key: str) -> bool:
        with self._connection() as db:
            return db.execute("DELETE FROM api_keys WHERE key_hash = ?", (key_hash(key),)).rowcount == 1

    def role_of(self, key: str) -> Role | None:
        with self._connection() as db:
            row = db.execute("SELECT role FROM api_keys WHERE key_hash = ?", (key_hash(key),)).fetchone()
        return Role(row[0]) if row else None

    def has_keys(self) -> bool:
        with self._connection() as db:
            return db.execute("SELECT 1 FROM api_keys LIMIT 1").fetchone() is not None

    def claim_placement(self, idempotency_key: str, digest: str, order_id: str) -> tuple[str, str, bool]:
        """The (digest, order id) first stored under the key, and whether this call stored them."""
        with self._connection() as db:
            claimed = db.execute(
                "INSERT OR IGNORE INTO placements VALUES (?, ?, ?)", (idempotency_key, digest, order_id)
            ).rowcount == 1
            stored = db.execute(
                "SELECT digest, order_id FROM placements WHERE idempotency_key = ?", (idempotency_key,)
            ).fetchone()
        return stored[0], stored[1], claimed

    def seen_carrier_event(self, event_id: str) -> bool:
        with self._connection() as db:
            return db.execute("SELECT 1 FROM carrier_events WHERE event_id = ?", (event_id,)).fetchone() is not None

    def mark_carrier_event(self, event_id: str, order_id: str) -> None:
        with self._connection() as db:
            db.execute("INSERT OR IGNORE INTO carrier_events VALUES (?, ?, ?)", (event_id, order_id, _now()))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def demo_keys(store: ApiStore, listing: Path) -> bool:
    """On first start, one key per role, written to `listing` as `ROLE KEY` lines (readable by the owner only)."""
    if listing.exists() and store.has_keys():
        return False
    lines = [f"{role.value} {store.new_key(role)}\n" for role in Role]
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.touch(mode=0o600)
    listing.write_text("".join(lines))
    return True


def listed_keys(listing: Path) -> dict[Role, str]:
    """The keys `demo_keys` wrote to `listing`, by role (for clients on the same machine: the scenarios)."""
    pairs = (line.split(maxsplit=1) for line in listing.read_text().splitlines() if line.strip())
    return {Role(role): key.strip() for role, key in pairs}
