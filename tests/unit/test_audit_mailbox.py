"""The audit reads the key a message was sent under back out of its Message-ID."""

from hypothesis import given
from hypothesis import strategies as st

from activities.mail_smtp import message_id
from starter.audit.mailbox import key_of


@given(st.text(min_size=1, max_size=80))
def test_the_key_of_a_message_id_is_the_key_it_was_made_from(key: str) -> None:
    assert key_of(message_id(key)) == key


def test_a_message_id_from_elsewhere_is_its_own_key() -> None:
    assert key_of(" <abc@mail.example> ") == "<abc@mail.example>"
