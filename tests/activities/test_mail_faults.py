"""Faults on demand in the SMTP stand-in: a refused message is retried, a lost answer does not make a duplicate."""

import smtplib
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from activities.mail_smtp import SmtpMailer
from runtime.fault_injector import FaultInjector
from runtime.fault_spec import parse_faults
from sandbox.mailbox import Mailbox, smtp_controller
from tests.activities.test_mail import confirmation, free_port


@pytest.fixture
def faults() -> FaultInjector:
    return FaultInjector()


@pytest.fixture
def mailer(mailbox: Mailbox, faults: FaultInjector) -> Iterator[SmtpMailer]:
    controller: Controller = smtp_controller(mailbox, "127.0.0.1", free_port(), faults)
    controller.start()
    yield SmtpMailer(controller.hostname, controller.port, "orders@shop.example")
    controller.stop()


async def test_an_error_is_a_transient_421_and_files_nothing(mailer: SmtpMailer, mailbox: Mailbox, faults: FaultInjector) -> None:
    faults.replace(parse_faults("smtp:error=1"))

    with pytest.raises(smtplib.SMTPDataError) as refused:
        await mailer.send(confirmation())

    assert refused.value.smtp_code == 421
    assert mailbox.list(order_id="o-1") == []


async def test_a_lost_answer_files_the_message_and_the_retry_does_not_file_it_again(
    mailer: SmtpMailer, mailbox: Mailbox, faults: FaultInjector
) -> None:
    faults.replace(parse_faults("smtp:lost=1"))

    with pytest.raises(smtplib.SMTPDataError) as lost:
        await mailer.send(confirmation())
    assert lost.value.smtp_code == 451
    faults.replace(parse_faults(""))
    await mailer.send(confirmation())

    assert [m["message_id"] for m in mailbox.list(order_id="o-1")] == ["<o-1=3Aconfirmation@orders.local>"]
    assert faults.counters()["smtp"] == {"requests": 2, "error": 0, "lost": 1, "delayed": 0}
