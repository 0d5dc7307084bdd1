"""Refunds settle on read, as Stripe's settle some time after creation: nothing runs in the background.

A refund is created `pending`; the first read (of the refund or of its payment intent) once
`Timing.refund_settle_after` has passed makes it `succeeded`, or `failed` with the reason the card
dictates (sandbox.cards), and stores that, so a settled refund never changes again.
"""

import structlog
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sandbox.db import Database
from sandbox.tables import Refund
from sandbox.timing import Timing

log = structlog.get_logger("sandbox.refunds")


def _due(timing: Timing) -> Select[tuple[Refund]]:
    cutoff = timing.clock() - timing.refund_settle_after
    return select(Refund).where(Refund.status == "pending", Refund.created_at <= cutoff).order_by(Refund.created_at)


def settle(session: Session, timing: Timing) -> None:
    """Settle, in this writing session, every pending refund whose time has come."""
    for refund in session.scalars(_due(timing)):
        failure = refund.payment_intent.refund_failure
        refund.status, refund.failure_reason = ("failed", failure) if failure else ("succeeded", None)
        log.info("refund.settled", refund_id=refund.id, status=refund.status, failure_reason=failure)


def settle_due(db: Database, timing: Timing) -> None:
    """Before a read: settle what is due, taking the write lock only when something is."""
    with db.reading() as session:
        if session.scalars(_due(timing).limit(1)).first() is None:
            return
    with db.writing() as session:
        settle(session, timing)
