"""SmtpMailer against the mailbox stand-in on loopback: delivered once per key, listed over HTTP."""

import re
import smtplib
import socket
from collections.abc import Iterator

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from fastapi import FastAPI

from activities.mail_smtp import MailRefused, RecipientRefused, SmtpMailer, message_id
from domain.messages import CustomerMessage, MessageKind
from sandbox.mailbox import Mailbox, mail_router, smtp_controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(mailbox: Mailbox) -> Iterator[Controller]:
    controller = smtp_controller(mailbox, "127.0.0.1", free_port())
    controller.start()  # returns once the server answers, so no test has to wait for it
    yield controller
    controller.stop()


@pytest.fixture
def mailer(smtp: Controller) -> SmtpMailer:
    return SmtpMailer(smtp.hostname, smtp.port, "orders@shop.example")


def confirmation(order_id: str = "o-1", to: str = "ada@example.com") -> CustomerMessage:
    return CustomerMessage(
        key=f"{order_id}:confirmation",
        kind=MessageKind.CONFIRMATION,
        order_id=order_id,
        to=to,
        subject=f"Order {order_id} confirmed",
        body="Thank you for your order.\n- 1 x apple",
    )


async def test_a_sent_message_is_filed_with_its_order_kind_and_message_id(mailer: SmtpMailer, mailbox: Mailbox) -> None:
    await mailer.send(confirmation())

    [filed] = mailbox.list(order_id="o-1")
    assert filed["message_id"] == "<o-1=3Aconfirmation@orders.local>"
    assert (filed["kind"], filed["to"]) == ("CONFIRMATION", "ada@example.com")
    assert (filed["subject"], filed["body"]) == ("Order o-1 confirmed", "Thank you for your order.\n- 1 x apple")


async def test_sending_the_same_message_twice_files_it_once(mailer: SmtpMailer, mailbox: Mailbox) -> None:
    await mailer.send(confirmation())

    await mailer.send(confirmation())

    assert len(mailbox.list(order_id="o-1")) == 1


async def test_messages_can_be_listed_by_recipient(mailer: SmtpMailer, mailbox: Mailbox) -> None:
    await mailer.send(confirmation("o-1", to="ada@example.com"))
    await mailer.send(confirmation("o-2", to="bob@example.com"))

    listed = mailbox.list(to="bob@example.com")

    assert [m["order_id"] for m in listed] == ["o-2"]


async def test_the_mail_endpoint_lists_an_orders_messages_as_json(mailer: SmtpMailer, mailbox: Mailbox) -> None:
    await mailer.send(confirmation("o-1"))
    await mailer.send(confirmation("o-2"))
    app = FastAPI()
    app.include_router(mail_router(mailbox))

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        response = await client.get("/mail", params={"order_id": "o-2"})

    assert response.status_code == 200
    [filed] = response.json()
    assert (filed["order_id"], filed["kind"], filed["to"]) == ("o-2", "CONFIRMATION", "ada@example.com")
    assert filed["received_at"]


async def test_a_recipient_refused_for_good_is_a_business_failure(mailer: SmtpMailer, mailbox: Mailbox) -> None:
    with pytest.raises(RecipientRefused) as refused:
        await mailer.send(confirmation(to="nobody@shop.invalid"))

    assert refused.value.code == "550"
    assert mailbox.list() == []


class Relay:
    """An SMTP relay that takes messages with `data_reply` and says goodbye with `quit_reply`."""

    def __init__(self, port: int, data_reply: str = "250 OK", quit_reply: str = "221 Bye") -> None:
        self.port, self.data_reply, self.quit_reply = port, data_reply, quit_reply
        self.received: list[bytes] = []

    def mailer(self) -> SmtpMailer:
        return SmtpMailer("127.0.0.1", self.port, "orders@shop.example")

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        if self.data_reply.startswith("250"):
            self.received.append(envelope.content)
        return self.data_reply

    async def handle_QUIT(self, server: object, session: object, envelope: Envelope) -> str:
        return self.quit_reply


@pytest.fixture
def relay() -> Iterator[Relay]:
    relay = Relay(free_port())
    controller = Controller(relay, hostname="127.0.0.1", port=relay.port)
    controller.start()
    yield relay
    controller.stop()


async def test_a_message_the_server_took_is_sent_even_if_it_answers_the_goodbye_badly(relay: Relay) -> None:
    relay.quit_reply = "421 Service closing transmission channel"

    await relay.mailer().send(confirmation())

    assert len(relay.received) == 1


async def test_a_message_refused_for_good_is_a_business_failure_not_sent_again(relay: Relay) -> None:
    relay.data_reply = "554 5.7.1 Message rejected as spam"

    with pytest.raises(MailRefused) as refused:
        await relay.mailer().send(confirmation())

    assert refused.value.code == "554" and "rejected as spam" in str(refused.value)
    assert relay.received == []


async def test_a_message_refused_for_now_is_left_to_the_retry_policy(relay: Relay) -> None:
    relay.data_reply = "451 4.3.0 Try again later"

    with pytest.raises(smtplib.SMTPDataError):
        await relay.mailer().send(confirmation())


async def test_an_unreachable_server_is_a_transient_error() -> None:
    mailer = SmtpMailer("127.0.0.1", free_port(), "orders@shop.example")

    with pytest.raises(OSError):
        await mailer.send(confirmation())


def test_message_ids_are_valid_and_distinct_for_distinct_keys() -> None:
    keys = ["o-1:cancellation:r 1", "o-1=3Acancellation=3Ar 1", "o-1:cancellation:r_1", "o-1:réf"]

    ids = [message_id(key) for key in keys]

    assert all(re.fullmatch(r"<[A-Za-z0-9_=-]+@orders\.local>", i) for i in ids)
    assert len(set(ids)) == len(keys)
    assert message_id(keys[0]) == ids[0]
