"""When Temporal or the worker cannot be reached, callers are told to come back (503, Retry-After), not failed."""

from pathlib import Path

import httpx

from api.app import create_app
from api.store import ApiStore, demo_keys
from domain.access import Role
from runtime.settings import Settings
from starter.errors import TemporalUnreachable
from tests.api.conftest import as_


async def test_temporal_unreachable_is_503_with_retry_after(tmp_path: Path):
    async def connect(settings: Settings):
        raise TemporalUnreachable(settings.temporal_address)

    app = create_app(Settings(var_dir=tmp_path), connect=connect)
    key = app.state.store.new_key(Role.SUPPORT)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
        answer = await http.get("/orders/A1", headers=as_(key))

    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert "cannot reach Temporal" in answer.json()["message"]


def test_demo_keys_are_written_once_one_per_role_and_stored_only_hashed(tmp_path: Path):
    store = ApiStore(tmp_path / "api.db")
    listing = tmp_path / "api-keys.txt"

    written = demo_keys(store, listing)
    again = demo_keys(store, listing)

    pairs = [line.split() for line in listing.read_text().splitlines()]
    assert (written, again) == (True, False)
    assert [role for role, _ in pairs] == [role.value for role in Role]
    assert all(store.role_of(key) == Role(role) for role, key in pairs)
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("api.db*"))  # the WAL file too
    assert all(key.encode() not in stored for _, key in pairs)
    assert listing.stat().st_mode & 0o077 == 0
