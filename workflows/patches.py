"""The patch register: every `workflow.patched` id the order workflow uses, when it came and when it may go.

A change that alters the commands a workflow emits is guarded by `workflow.patched(ID)` so that
orders started on the old code replay as they ran. Each guard is registered here with the release
date that added it and what it guards. It may be retired once no order started before that date
can still be in flight: `retire_after` is the added date plus the longest an order lives under the
default policy without waiting on a person (ORDER_LIFE). Retiring follows the SDK's stages:
first `workflow.deprecate_patch(ID)` with the old branch removed (histories that carry the marker
still replay), then, a release later, the call is removed and the id is marked `retired` here.
Before each stage, check in the Temporal UI that no order older than `retire_after` is still open
(`ExecutionStatus = "Running" AND StartTime < "<added>"`): an order a person left waiting can
outlive ORDER_LIFE.

tests/unit/test_patch_register.py fails when code calls `patched` with an id missing here, or an
id registered as live is no longer in the code.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.policy import Policy

ORDER_LIFE = Policy().longest_unattended_life
_ORDER_LIFE_DAYS = timedelta(days=-(-ORDER_LIFE // timedelta(days=1)))  # whole days, rounded up


class Stage(StrEnum):
    LIVE = "LIVE"  # `workflow.patched(ID)` with both branches
    DEPRECATED = "DEPRECATED"  # `workflow.deprecate_patch(ID)`, old branch gone
    RETIRED = "RETIRED"  # no call left; kept here so the id is never reused


@dataclass(frozen=True)
class Patch:
    id: str
    added: date
    guards: str
    stage: Stage = Stage.LIVE

    @property
    def retire_after(self) -> date:
        return self.added + _ORDER_LIFE_DAYS


def _register(*patches: Patch) -> dict[str, Patch]:
    return {patch.id: patch for patch in patches}


# The ids, named, so that workflow code never spells a patch id twice.
RESEND_AFTER_LOST_ANSWER = "resend-after-lost-answer"
PENDING_CANCELLATION_SEARCH_ATTRIBUTE = "pending-cancellation-search-attribute"
ONE_PROBLEM_AT_A_TIME = "one-problem-at-a-time"
ASK_ONLY_OPEN_PROBLEMS = "ask-only-open-problems"
PUBLISH_INTERCEPT_SETTLEMENT = "publish-intercept-settlement"
FOLLOW_PARTIAL_REFUNDS_BESIDE = "follow-partial-refunds-beside"
VOID_LABEL_OF_LOST_ANSWER = "void-label-of-lost-answer"
CARRIER_DEADLINES_AND_PICKUP_HOLD = "carrier-deadlines-and-pickup-hold"
CONTINUE_AS_NEW = "continue-as-new"
BOUNDED_REQUESTS = "bounded-requests"
VOID_LABEL_OF_UNSCANNED_PARCEL = "void-label-of-unscanned-parcel"
REAUTHORIZE_LAPSED_HOLD = "reauthorize-lapsed-hold"
RENEW_HOLD_THE_GATEWAY_LAPSED = "renew-hold-the-gateway-lapsed"
ORDER_EVENTS = "order-events"
SEARCH_ATTRIBUTES_FROM_START = "search-attributes-from-start"

REGISTER = _register(
    Patch(RESEND_AFTER_LOST_ANSWER, date(2026, 11, 27),
          "a forward step whose answer was lost is sent again under the same key before a person is asked"),
    Patch(PENDING_CANCELLATION_SEARCH_ATTRIBUTE, date(2026, 11, 27),
          "the PendingCancellation search attribute is published"),
    Patch(ONE_PROBLEM_AT_A_TIME, date(2026, 11, 27),
          "a second problem waits until a person answered the first (Attention's lock)"),
    Patch(ASK_ONLY_OPEN_PROBLEMS, date(2026, 12, 1),
          "a problem that waited behind another is put to a person only if still open"),
    Patch(PUBLISH_INTERCEPT_SETTLEMENT, date(2026, 12, 1),
          "search attributes are published when an intercept is settled by a person"),
    Patch(FOLLOW_PARTIAL_REFUNDS_BESIDE, date(2026, 12, 1),
          "a partial cancellation's refund is followed beside the order instead of inline"),
    Patch(VOID_LABEL_OF_LOST_ANSWER, date(2026, 12, 1),
          "a label whose answer was lost is recorded, so a cancellation finds and voids it"),
    Patch(CARRIER_DEADLINES_AND_PICKUP_HOLD, date(2026, 12, 1),
          "pickup and delivery deadlines, and the pickup hold while a review is open"),
    Patch(CONTINUE_AS_NEW, date(2026, 12, 5),
          "a quiet order whose history grew long continues as a new run where its story rests"),
    Patch(BOUNDED_REQUESTS, date(2026, 12, 5),
          "a signalled cancellation request past the most one order takes is noted, not decided"),
    Patch(VOID_LABEL_OF_UNSCANNED_PARCEL, date(2026, 12, 5),
          "an intercept the carrier refuses as nothing to intercept voids the label and takes the parcel back"),
    Patch(REAUTHORIZE_LAPSED_HOLD, date(2026, 12, 5),
          "a card hold lapsing before capture is replaced by a new one, or the order is cancelled DECLINED"),
    Patch(RENEW_HOLD_THE_GATEWAY_LAPSED, date(2026, 12, 5),
          "a capture the gateway refuses because the hold lapsed early renews the hold instead of asking a person"),
    Patch(ORDER_EVENTS, date(2026, 12, 5),
          "an order placed with event subscribers hands its events to an OrderEventsWorkflow (webhooks out)"),
    Patch(SEARCH_ATTRIBUTES_FROM_START, date(2026, 12, 6),
          "search attributes the run was started with (or carried over into it) are not upserted again"),
)
