"""The stand-ins' SQLite store (tables in sandbox.tables), and the idempotency of mutating requests."""

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from sandbox.tables import Base, IdempotencyKey
from sandbox.wire import ApiError, Reply


def fingerprint(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise ValueError(f"the sandbox needs a SQLite file URL such as sqlite:///var/sandbox.db, not {url!r}")
    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # The stand-ins run sync endpoints in a threadpool: the plain sqlite3 driver, waiting up to 30 s for the lock.
    engine = create_engine(parsed.set(drivername="sqlite"), connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Take BEGIN away from the sqlite3 module so that _on_begin decides DEFERRED or IMMEDIATE.
        dbapi_connection.isolation_level = None
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get('sqlite_begin', 'DEFERRED')}")

    return engine


class Database:
    """The stand-ins' store. Reads run in ordinary transactions; every mutating request runs in one
    `BEGIN IMMEDIATE` transaction that checks its idempotency key, acts, and stores the reply, so two
    concurrent requests with one key are serialised and the second gets the first one's reply.
    """

    def __init__(self, url: str) -> None:
        self.engine = _sqlite_engine(url)
        self._writer = self.engine.execution_options(sqlite_begin="IMMEDIATE")

    def create_tables(self) -> None:
        Base.metadata.create_all(self.engine)
        # A sandbox.db kept from an earlier version lacks the newer (all nullable) columns: add them,
        # so that `orders sandbox` starts on the developer's existing data instead of failing.
        with self.engine.begin() as connection:
            schema = inspect(connection)
            for table in Base.metadata.sorted_tables:
                present = {column["name"] for column in schema.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in present and column.nullable:
                        kind = column.type.compile(self.engine.dialect)
                        connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with Session(self._writer) as session, session.begin():
            yield session

    def idempotent(
        self,
        scope: str,
        key: str,
        request: Request,
        params: BaseModel | None,
        act: Callable[[Session], dict[str, Any]],
        success: int = 200,
    ) -> Reply:
        """Run `act` once per key and store its answer (a `success` or an ApiError below 500).

        A 5xx rolls everything back and stores nothing, so a retry under the same key acts afresh.
        """
        endpoint = f"{request.method} {request.url.path}"
        digest = fingerprint(params.model_dump(mode="json", exclude_none=True) if params else {})
        with self.writing() as session:
            stored = session.get(IdempotencyKey, (scope, key))
            if stored is not None:
                if (stored.endpoint, stored.fingerprint) != (endpoint, digest):
                    raise ApiError(
                        422,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same parameters they were first "
                        f"used with; '{key}' was first used on {stored.endpoint}, with other parameters or path.",
                    )
                return Reply(stored.response_status, json.loads(stored.response_body), replayed=True)
            try:
                reply = Reply(success, act(session))
            except ApiError as refusal:
                if refusal.status >= 500:
                    raise
                reply = Reply(refusal.status, refusal.body)
            record = IdempotencyKey(scope=scope, key=key, endpoint=endpoint, fingerprint=digest)
            record.response_status, record.response_body = reply.status, json.dumps(reply.body)
            session.add(record)
            return reply


def _database(request: Request) -> Database:
    return request.app.state.database


Db = Annotated[Database, Depends(_database)]
