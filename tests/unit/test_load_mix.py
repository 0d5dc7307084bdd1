"""The load's mix: parsed from `path=weight,...`, and spread exactly over the orders."""

from collections import Counter

import pytest

from starter.load.mix import DEFAULT_MIX, BadMix, Path, assign, counts, parse_mix


def test_a_mix_names_each_path_with_its_weight() -> None:
    weights = parse_mix("happy=3, cancel_in_transit=1,declined=0")

    assert weights == {Path.HAPPY: 3, Path.CANCEL_IN_TRANSIT: 1, Path.DECLINED: 0}


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("happy=1,teleport=2", "unknown path 'teleport'"),
        ("happy", "'happy' has no weight"),
        ("happy=-1", "whole number >= 0, not '-1'"),
        ("happy=0.5", "whole number >= 0, not '0.5'"),
        ("happy=1,happy=2", "happy is named twice"),
        ("happy=0", "no path has a weight above 0"),
        ("", "no path has a weight above 0"),
    ],
)
def test_a_bad_mix_is_refused_with_what_is_wrong_in_one_line(spec: str, problem: str) -> None:
    with pytest.raises(BadMix) as refused:
        parse_mix(spec)

    assert problem in str(refused.value)
    assert "\n" not in str(refused.value)


def test_shares_add_up_to_the_orders_by_largest_remainder() -> None:
    shares = counts({Path.HAPPY: 1, Path.DECLINED: 1, Path.PARTIAL: 1}, 10)

    assert sum(shares.values()) == 10
    assert sorted(shares.values()) == [3, 3, 4]


def test_a_path_with_no_share_is_left_out() -> None:
    assert counts({Path.HAPPY: 99, Path.DECLINED: 1}, 10) == {Path.HAPPY: 10}


def test_the_default_mix_cancels_thirty_percent_at_four_stages_and_partially_ten() -> None:
    shares = counts(parse_mix(DEFAULT_MIX), 1000)

    stages = (Path.CANCEL_WINDOW, Path.CANCEL_CAPTURED, Path.CANCEL_LABELLED, Path.CANCEL_IN_TRANSIT)
    assert sum(shares[path] for path in stages) == 300
    assert shares[Path.PARTIAL] == 100
    assert shares[Path.REVIEW_APPROVE] + shares[Path.REVIEW_DENY] == 100


def test_the_same_seed_spreads_the_paths_the_same_way_and_another_differently() -> None:
    weights = parse_mix(DEFAULT_MIX)

    first, again, other = assign(weights, 200, seed=7), assign(weights, 200, seed=7), assign(weights, 200, seed=8)

    assert first == again
    assert first != other
    assert Counter(first) == Counter(other) == Counter(counts(weights, 200))
