"""Fixtures shared by the test folders."""

from collections.abc import Iterator

import pytest

from tests.postgres import Postgres


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    """A real PostgreSQL, started on first use and stopped at the end of the session."""
    server = Postgres(tmp_path_factory.mktemp("postgres") / "data")
    yield server
    server.stop()
