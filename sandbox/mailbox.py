"""The mail stand-in: an SMTP server on loopback that files every message in SQLite, once per Message-ID."""

import asyncio
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import APIRouter
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from runtime.fault_injector import FaultInjector, Outcome

log = structlog.get_logger("sandbox.mail")

metadata = MetaData()
messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(255), unique=True, nullable=False),
    Column("order_id", String(64), index=True),
    Column("kind", String(32)),
    Column("to", String(255), index=True, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


class Mailbox:
    """The customers' inboxes, in one SQLite file (`sqlite:///var/mailbox.db`).

    The Message-ID header is the idempotency key: a message whose id is already stored is
    accepted but not stored again. That is how the product keeps 'never a duplicate message'
    although SMTP itself is at-least-once: a worker that crashes after the server accepted a
    message, but before Temporal recorded the activity as done, sends it again on retry, and the
    SmtpMailer derives the same Message-ID from the message's key, so the customer sees it once.
    It uses the synchronous sqlite3 driver because the SMTP server and the HTTP app run on
    different threads and event loops; every call is short and thread-safe.
    """

    def __init__(self, db_url: str) -> None:
        url = make_url(db_url)
        if url.get_backend_name() != "sqlite":
            raise ValueError(f"the mailbox needs a SQLite URL such as sqlite:///var/mailbox.db, not {db_url!r}")
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # The plain driver whatever the URL says, waiting up to 30 s for the file lock.
        connect_args = {"timeout": 30, "check_same_thread": False}
        self._engine = create_engine(url.set(drivername="sqlite"), connect_args=connect_args)
        metadata.create_all(self._engine)

    def dispose(self) -> None:
        self._engine.dispose()

    def store(self, *, message_id: str, order_id: str | None, kind: str | None, to: str, subject: str, body: str) -> bool:
        """File one message; False when its Message-ID was already filed (nothing changes then)."""
        row = dict(message_id=message_id, order_id=order_id, kind=kind, to=to, subject=subject, body=body)
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(messages).values(**row, received_at=datetime.now(UTC)))
        except IntegrityError:
            return False
        return True

    def list(self, to: str | None = None, order_id: str | None = None) -> list[dict[str, Any]]:
        """The messages filed, oldest first, optionally only those to one address or about one order."""
        query = select(messages).order_by(messages.c.id)
        if to is not None:
            query = query.where(messages.c.to == to)
        if order_id is not None:
            query = query.where(messages.c.order_id == order_id)
        with self._engine.connect() as conn:
            return [{k: v for k, v in row.items() if k != "id"} for row in conn.execute(query).mappings()]


class _Handler:
    """aiosmtpd hooks: refuse `.invalid` recipients like a real server refuses unknown ones, file the rest.

    Faults for `smtp` strike at DATA: `error` answers 421 and files nothing; `lost` files the message,
    then answers 451, so the sender tries again and the Message-ID keeps the second copy out.
    """

    def __init__(self, mailbox: Mailbox, faults: FaultInjector) -> None:
        self._mailbox, self._faults = mailbox, faults

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]) -> str:
        # RFC 2606 reserves .invalid, so scenarios can provoke a permanent refusal deterministically.
        if address.lower().endswith(".invalid"):
            return f"550 5.1.1 <{address}>: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        draw = self._faults.draw("smtp")
        if draw.delay_seconds:
            await asyncio.sleep(draw.delay_seconds)
        if draw.outcome is Outcome.ERROR:
            log.info("fault.injected", endpoint="smtp", fault=draw.outcome.value)
            return "421 4.3.2 Service not available (fault injected), try again later"
        await self._file(envelope)
        if draw.outcome is Outcome.LOST:
            log.info("fault.injected", endpoint="smtp", fault=draw.outcome.value)
            return "451 4.4.2 Connection lost after the message was filed (fault injected)"
        return "250 Message accepted for delivery"

    async def _file(self, envelope: Envelope) -> None:
        assert isinstance(envelope.content, bytes)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        text = parsed.get_body(preferencelist=("plain",))
        body = text.get_content() if text is not None else str(parsed.get_payload())
        await asyncio.to_thread(
            self._mailbox.store,
            # A message without an id cannot be deduplicated; it is filed under a fresh one.
            message_id=str(parsed.get("Message-ID") or make_msgid()).strip(),
            order_id=parsed.get("X-Order-Id"),
            kind=parsed.get("X-Message-Kind"),
            to=", ".join(envelope.rcpt_tos),
            subject=str(parsed.get("Subject", "")),
            body=body.replace("\r\n", "\n").removesuffix("\n"),  # SMTP carries CRLF line ends
        )


def smtp_controller(mailbox: Mailbox, host: str, port: int, faults: FaultInjector | None = None) -> Controller:
    """An SMTP server filing into `mailbox`, under `faults` (none by default); the caller starts it
    (`start()` waits until it answers) and stops it."""
    return Controller(_Handler(mailbox, faults or FaultInjector()), hostname=host, port=port)


def mail_router(mailbox: Mailbox) -> APIRouter:
    """`GET /mail?order_id=&to=`: what the customers received, as JSON, oldest first."""
    router = APIRouter(tags=["mail"])

    @router.get("/mail")
    def list_mail(order_id: str | None = None, to: str | None = None) -> list[dict[str, Any]]:
        return mailbox.list(to=to, order_id=order_id)

    return router
