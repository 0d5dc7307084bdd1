"""The load's mix: which paths, in what shares, spread over N orders. Pure: no I/O, no clock."""

import random
from collections.abc import Mapping, Sequence
from enum import StrEnum

from starter.errors import CliError


class Path(StrEnum):
    """One way an order goes in a load; each has exactly one expected end state (starter.load.paths)."""

    HAPPY = "happy"
    CANCEL_WINDOW = "cancel_window"
    CANCEL_CAPTURED = "cancel_captured"
    CANCEL_LABELLED = "cancel_labelled"
    CANCEL_IN_TRANSIT = "cancel_in_transit"
    PARTIAL = "partial"
    REVIEW_APPROVE = "review_approve"
    REVIEW_DENY = "review_deny"
    DECLINED = "declined"
    OUT_OF_STOCK = "out_of_stock"


# 30 % cancelled at one of four stages (one after pickup), 10 % partial, 10 % reviewed, 10 % ended by the card
# or the stock, the rest delivered: the mix `orders chaos` is asked to survive.
DEFAULT_MIX = (
    "happy=40,cancel_window=8,cancel_captured=8,cancel_labelled=7,cancel_in_transit=7,"
    "partial=10,review_approve=5,review_deny=5,declined=5,out_of_stock=5"
)


class BadMix(CliError):
    def __init__(self, spec: str, problem: str) -> None:
        super().__init__(f"invalid --mix {spec!r}: {problem} (e.g. happy=60,cancel_window=40; paths: {', '.join(Path)})")


def parse_mix(spec: str) -> dict[Path, int]:
    """`name=weight,...` into the weight of each named path; weights are whole numbers, at least one above 0."""
    weights: dict[Path, int] = {}
    for part in filter(None, (part.strip() for part in spec.split(","))):
        name, equals, weight = part.partition("=")
        if not equals:
            raise BadMix(spec, f"{part!r} has no weight")
        try:
            path = Path(name.strip())
        except ValueError:
            raise BadMix(spec, f"unknown path {name.strip()!r}") from None
        if path in weights:
            raise BadMix(spec, f"{path} is named twice")
        if not weight.strip().isdigit():
            raise BadMix(spec, f"the weight of {path} must be a whole number >= 0, not {weight.strip()!r}")
        weights[path] = int(weight)
    if sum(weights.values()) == 0:
        raise BadMix(spec, "no path has a weight above 0")
    return weights


def counts(weights: Mapping[Path, int], orders: int) -> dict[Path, int]:
    """How many of `orders` take each path: shares rounded by largest remainder, so they add up exactly."""
    total = sum(weights.values())
    exact = {path: orders * weight / total for path, weight in weights.items()}
    shares = {path: int(value) for path, value in exact.items()}
    by_remainder = sorted(exact, key=lambda path: exact[path] - shares[path], reverse=True)
    for path in by_remainder[: orders - sum(shares.values())]:
        shares[path] += 1
    return {path: share for path, share in shares.items() if share}


def assign(weights: Mapping[Path, int], orders: int, seed: int) -> Sequence[Path]:
    """The path of each of `orders` orders, in a shuffled order that `seed` repeats."""
    paths = [path for path, share in counts(weights, orders).items() for _ in range(share)]
    random.Random(seed).shuffle(paths)
    return paths
