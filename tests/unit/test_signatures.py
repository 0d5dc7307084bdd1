"""Webhook signatures: what a receiver accepts, and each way a webhook is refused."""

from datetime import timedelta

import pytest

from runtime.signatures import SignatureRefused, sign, verify

SECRET = "whsec_test"
BODY = b'{"id":"evt_1","type":"PICKED_UP"}'
SIGNED_AT = 1_780_000_000


def test_a_valid_signature_is_accepted_and_tells_when_it_was_signed():
    header = sign(SECRET, SIGNED_AT, BODY)

    assert verify(header, BODY, [SECRET], now=SIGNED_AT + 10) == SIGNED_AT


def test_a_missing_signature_is_refused():
    with pytest.raises(SignatureRefused, match="missing"):
        verify(None, BODY, [SECRET], now=SIGNED_AT)


def test_a_signature_made_with_another_secret_is_refused():
    header = sign("whsec_other", SIGNED_AT, BODY)

    with pytest.raises(SignatureRefused, match="does not match"):
        verify(header, BODY, [SECRET], now=SIGNED_AT)


def test_a_signature_over_another_body_is_refused():
    header = sign(SECRET, SIGNED_AT, BODY)

    with pytest.raises(SignatureRefused, match="does not match"):
        verify(header, BODY.replace(b"PICKED_UP", b"DELIVERED"), [SECRET], now=SIGNED_AT)


def test_a_stale_signature_is_refused_past_the_tolerance():
    header = sign(SECRET, SIGNED_AT, BODY)

    verify(header, BODY, [SECRET], now=SIGNED_AT + 300)
    with pytest.raises(SignatureRefused, match="stale"):
        verify(header, BODY, [SECRET], now=SIGNED_AT + 301)


def test_a_request_replayed_later_with_its_captured_signature_is_refused_as_stale():
    captured = sign(SECRET, SIGNED_AT, BODY)

    with pytest.raises(SignatureRefused, match="stale"):
        verify(captured, BODY, [SECRET], now=SIGNED_AT + int(timedelta(hours=1).total_seconds()))


def test_a_replayed_header_with_a_new_timestamp_no_longer_matches():
    captured = sign(SECRET, SIGNED_AT, BODY)
    forged = captured.replace(f"t={SIGNED_AT}", f"t={SIGNED_AT + 3600}")

    with pytest.raises(SignatureRefused, match="does not match"):
        verify(forged, BODY, [SECRET], now=SIGNED_AT + 3600)


def test_any_accepted_secret_verifies_while_a_secret_is_rotated():
    header = sign("whsec_old", SIGNED_AT, BODY)

    assert verify(header, BODY, ["whsec_new", "whsec_old"], now=SIGNED_AT) == SIGNED_AT


@pytest.mark.parametrize("header", ["v1=abc", "t=soon,v1=abc", f"t={SIGNED_AT}", "garbage"])
def test_a_malformed_header_is_refused(header: str):
    with pytest.raises(SignatureRefused, match="malformed"):
        verify(header, BODY, [SECRET], now=SIGNED_AT)
