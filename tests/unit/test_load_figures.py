"""A load's figures: stage times from each order's timeline, percentiles, end states and misses."""

from datetime import UTC, datetime, timedelta

from domain.lifecycle import TimelineEntry
from starter.load.figures import OrderResult, spread, stage_seconds, summary
from starter.load.mix import Path

T0 = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def entry(seconds: float, event: str) -> TimelineEntry:
    return TimelineEntry(at=T0 + timedelta(seconds=seconds), event=event)


def test_each_stage_counts_from_placement_to_its_first_entry() -> None:
    timeline = [entry(0, "PLACED"), entry(1, "CONFIRMED"), entry(3, "FULFILLING"), entry(4, "CANCELLED"), entry(9, "CANCELLED")]

    assert stage_seconds(timeline) == {"confirmed": 1.0, "captured": 3.0, "cancelled": 4.0}


def test_a_timeline_without_its_placement_has_no_stage_times() -> None:
    assert stage_seconds([entry(1, "CONFIRMED")]) == {}


def test_spread_is_nearest_rank_percentiles_scaled() -> None:
    values = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms

    assert spread(values, scale=1000) == {"count": 100, "p50": 50.0, "p95": 95.0, "p99": 99.0}
    assert spread([]) == {"count": 0}


def result(path: Path, ended: str, met: bool, **more: object) -> OrderResult:
    return OrderResult(path=path, order_id=f"o-{path}-{ended}", expected="COMPLETED", ended=ended, met=met, **more)  # type: ignore[arg-type]


def test_summary_counts_end_states_paths_and_lists_each_miss() -> None:
    results = [
        result(Path.HAPPY, "COMPLETED", True, stages={"completed": 2.0}),
        result(Path.HAPPY, "NEEDS_ATTENTION", False, problem="needs attention: STEP_FAILED"),
        result(Path.CANCEL_WINDOW, "CANCELLED (CUSTOMER)", True, cancel_s=[0.1, 0.3]),
        result(Path.DECLINED, "", False, problem="never placed"),
    ]

    figures = summary(results, seconds=2.0)

    assert figures["orders_per_s"] == 2.0
    assert figures["end_states"] == {"CANCELLED (CUSTOMER)": 1, "COMPLETED": 1, "NEEDS_ATTENTION": 1, "UNSEEN": 1}
    assert figures["paths"] == {
        "happy": {"orders": 2, "met": 1},
        "cancel_window": {"orders": 1, "met": 1},
        "declined": {"orders": 1, "met": 0},
    }
    assert figures["cancel_update_ms"] == {"count": 2, "p50": 100.0, "p95": 300.0, "p99": 300.0}
    assert figures["stages_s"]["completed"]["count"] == 1
    assert [miss["problem"] for miss in figures["missed"]] == ["needs attention: STEP_FAILED", "never placed"]
    assert figures["all_met"] is False


def test_a_load_where_every_order_met_its_end_is_all_met() -> None:
    assert summary([result(Path.HAPPY, "COMPLETED", True)], seconds=1.0)["all_met"] is True
