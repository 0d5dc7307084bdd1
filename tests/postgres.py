"""A throwaway PostgreSQL server for tests: real server binaries from the pgserver wheel on PyPI,
so the SQL that production runs on PostgreSQL is tested here too, with no Docker and no network."""

import uuid
from pathlib import Path

import pgserver


class Postgres:
    """One server per test session, listening on a Unix socket in its data directory."""

    def __init__(self, directory: Path) -> None:
        self._server = pgserver.get_server(directory, cleanup_mode="delete")

    def fresh_database(self) -> str:
        """The SQLAlchemy URL of a new, empty database, so that tests never see each other's rows."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self._server.psql(f"CREATE DATABASE {name};")
        return self._server.get_uri(database=name).replace("postgresql://", "postgresql+asyncpg://", 1)

    def stop(self) -> None:
        self._server.cleanup()
