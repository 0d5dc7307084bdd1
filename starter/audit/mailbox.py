"""The audit's reader of the mailbox: every message filed, per order, with the key it was sent under."""

import re

import httpx

from domain.audit_facts import MailFacts
from starter.audit.sandbox import listing, per_order

# activities.mail_smtp.message_id writes a key as `<key@orders.local>`, each byte outside [A-Za-z0-9_-] as =XX.
_ESCAPED = re.compile(r"(?:=[0-9A-F]{2})+")


def key_of(message_id: str) -> str:
    """The idempotency key a Message-ID was derived from (a foreign id is returned as it is)."""
    inner = message_id.strip()
    if not (inner.startswith("<") and inner.endswith("@orders.local>")):
        return inner
    escaped = inner[1 : -len("@orders.local>")]
    return _ESCAPED.sub(lambda m: bytes.fromhex(m.group().replace("=", "")).decode(errors="replace"), escaped)


async def read_mail(http: httpx.AsyncClient) -> dict[str, list[MailFacts]]:
    messages = await listing(http, "/mail")
    return per_order(messages, lambda m: MailFacts(kind=m.get("kind"), key=key_of(str(m["message_id"]))))
