"""The stand-ins served in-process (no sockets), on a clock the test moves by hand."""

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from sandbox.app import create_app
from sandbox.mailbox import Mailbox


class FakeClock:
    """`now` for the stand-ins: it stands still until the test moves it, so time-based outcomes
    (a refund settling, a parcel coming back) happen exactly when a test says, with no sleeping."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


SETTLE_AFTER = timedelta(seconds=1)
RETURN_AFTER = timedelta(seconds=2)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[FastAPI]:
    app = create_app(
        f"sqlite:///{tmp_path / 'sandbox.db'}", refund_settle_after=SETTLE_AFTER, return_after=RETURN_AFTER, clock=clock
    )
    yield app
    app.state.database.engine.dispose()


@pytest.fixture
async def sandbox(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        yield client


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[Mailbox]:
    mailbox = Mailbox(f"sqlite:///{tmp_path / 'mailbox.db'}")
    yield mailbox
    mailbox.dispose()
