"""Mail over SMTP: each customer message carries a Message-ID derived from its idempotency key."""

import asyncio
import smtplib
import string
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

import structlog

from activities.failures import BusinessFailure
from domain.messages import CustomerMessage

log = structlog.get_logger(__name__)

_PLAIN = frozenset(string.ascii_letters + string.digits + "-_")


class MailRefused(BusinessFailure):
    """The mail server permanently refused the message (SMTP 5xx); `code` is the SMTP reply code."""


class RecipientRefused(MailRefused):
    """The mail server permanently refused the recipient."""


def message_id(key: str) -> str:
    """`<id@orders.local>` for an idempotency key: the same key always gives the same id.

    Every character outside [A-Za-z0-9_-] is written as `=XX` per UTF-8 byte, which keeps the
    id valid (RFC 5322 dot-atom) and one-to-one: two keys never share an id, since the mailbox
    would otherwise drop the second message as a duplicate.
    """
    left = "".join(c if c in _PLAIN else "".join(f"={b:02X}" for b in c.encode()) for c in key)
    return f"<{left}@orders.local>"


class SmtpMailer:
    """The Mailer over an SMTP server (the mailbox stand-in in development).

    A retried send goes out again with the same Message-ID, which is what lets the receiving
    side keep one copy. Once the server has accepted the message it is sent, whatever happens
    to the goodbye, so it is not sent again. A permanent (5xx) refusal of the sender, recipient
    or message is a business outcome, `MailRefused`; connection failures and 4xx replies are
    transient and are retried. `timeout` bounds each exchange with the server; the activity's
    attempt outlasts all of them (workflows.options), so no timed-out attempt leaves a send
    running beside its retry.
    """

    def __init__(self, host: str, port: int, sender: str, *, timeout: timedelta = timedelta(seconds=5)) -> None:
        self._host, self._port, self._sender, self._timeout = host, port, sender, timeout

    async def send(self, message: CustomerMessage) -> None:
        # smtplib blocks; a thread keeps the worker's event loop (and its heartbeats) free.
        await asyncio.to_thread(self._deliver, self._compose(message), message.to)
        log.info("mail.sent", order_id=message.order_id, kind=message.kind.value, key=message.key, to=message.to)

    def _compose(self, message: CustomerMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = message_id(message.key)
        email["X-Order-Id"] = message.order_id
        email["X-Message-Kind"] = message.kind.value
        email.set_content(message.body)
        return email

    def _deliver(self, email: EmailMessage, to: str) -> None:
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout.total_seconds())
        try:
            smtp.send_message(email, from_addr=self._sender, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as refused:
            code, reply = refused.recipients[to]
            if code < 500:
                raise  # 4xx: mailbox busy, greylisting... worth another try
            raise RecipientRefused(f"{to} was refused: {code} {_text(reply)}", code=str(code)) from refused
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as refused:
            if refused.smtp_code < 500:
                raise
            raise MailRefused(f"the message was refused: {refused.smtp_code} {_text(refused.smtp_error)}",
                              code=str(refused.smtp_code)) from refused
        finally:
            _hang_up(smtp)


def _hang_up(smtp: smtplib.SMTP) -> None:
    """Say goodbye; a server that answers it badly, or hangs up first, has the message already."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
