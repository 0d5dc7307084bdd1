"""ORDERS_WEBHOOK_SUBSCRIBERS: a JSON list of subscribers, refused in one line naming what is wrong."""

import pytest
from pydantic import ValidationError

from runtime.settings import Settings
from runtime.webhook_subscribers import parse_subscribers, receiver_stand_in


def test_none_configured_is_no_subscriber() -> None:
    assert parse_subscribers("") == [] == parse_subscribers("  ")


def test_subscribers_are_read_with_their_url_and_secret() -> None:
    (erp,) = parse_subscribers('[{"name": "erp", "url": "https://erp.example/hooks", "secret": "whsec_0123456789"}]')

    assert (erp.name, erp.url, erp.secret) == ("erp", "https://erp.example/hooks", "whsec_0123456789")


TWIN = '{"name": "a", "url": "http://x/1", "secret": "whsec_0123456789"}'


@pytest.mark.parametrize(
    ("configured", "problem"),
    [
        ("erp=https://erp.example", "expected a JSON list"),
        ('[{"name": "erp", "url": "ftp://erp.example", "secret": "whsec_0123456789"}]', "0.url"),
        ('[{"name": "erp", "url": "https://erp.example", "secret": "short"}]', "0.secret"),
        (f"[{TWIN}, {TWIN}]", "name of its own"),
    ],
)
def test_a_setting_that_cannot_be_read_says_why_in_one_line(configured: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as refused:
        parse_subscribers(configured)

    assert "\n" not in str(refused.value)


def test_settings_refuse_unreadable_subscribers_when_they_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_WEBHOOK_SUBSCRIBERS", "[not json")

    with pytest.raises(ValidationError, match="webhook_subscribers"):
        Settings()


def test_the_receiver_stand_in_is_a_readable_subscriber() -> None:
    (receiver,) = parse_subscribers(receiver_stand_in("http://127.0.0.1:8088"))

    assert receiver.url == "http://127.0.0.1:8088/receiver/receiver/events"
