"""Deciding, request by request, whether a fault strikes: seeded draws, and counters of what was injected."""

import random
import threading
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from runtime.fault_spec import NO_FAULT, Endpoint, Fault, FaultTable


class Outcome(StrEnum):
    SERVED = "served"
    ERROR = "error"  # refused before anything is done
    LOST = "lost"  # done, then the answer is lost


def decide(fault: Fault, roll: float) -> Outcome:
    """The outcome of a request whose draw is `roll` (uniform in [0, 1)): below `error` refused,
    below `error + lost` answered and lost, served otherwise."""
    if roll < fault.error:
        return Outcome.ERROR
    if roll < fault.error + fault.lost:
        return Outcome.LOST
    return Outcome.SERVED


@dataclass(frozen=True)
class Draw:
    """One request's fate under `fault`. `roll` is the draw itself, so a caller can tell kinds of error
    apart reproducibly (the inventory: below error / 2 a lock timeout, else a lost connection)."""

    outcome: Outcome
    delay_seconds: float
    roll: float
    fault: Fault


SERVED = Draw(Outcome.SERVED, 0.0, 1.0, NO_FAULT)


class FaultInjector:
    """The fault table in force, its random draws and counters; shared by the HTTP app and the SMTP
    server of one process (different threads), hence the lock.

    Each endpoint draws from its own `random.Random` seeded from `seed` and its name: the same seed
    gives an endpoint the same sequence of faults, however its requests interleave with the other
    endpoints'. A table without a seed gets a fresh one, shown in `seed`, to reproduce a run.
    """

    def __init__(self, table: FaultTable | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[Endpoint, str]] = Counter()
        self._streams: dict[Endpoint, random.Random] = {}
        self.replace(table or FaultTable())

    def replace(self, table: FaultTable) -> None:
        """Put `table` in force, its draws starting afresh from its seed; the counters carry on."""
        seed = table.seed if table.seed is not None else random.SystemRandom().randrange(2**32)
        with self._lock:
            self._table, self.seed, self._streams = table, seed, {}

    @property
    def table(self) -> FaultTable:
        return self._table

    def draw(self, endpoint: Endpoint) -> Draw:
        """Decide the fate of one request to `endpoint`, and count it."""
        with self._lock:
            self._counts[endpoint, "requests"] += 1
            fault = self._table.fault(endpoint)
            if not fault.active:
                return SERVED
            if (stream := self._streams.get(endpoint)) is None:
                stream = self._streams[endpoint] = random.Random(f"{self.seed}/{endpoint}")
            roll = stream.random()
            outcome = decide(fault, roll)
            if outcome is not Outcome.SERVED:
                self._counts[endpoint, outcome.value] += 1
            if fault.latency_ms:
                self._counts[endpoint, "delayed"] += 1
        return Draw(outcome, fault.latency_ms / 1000, roll, fault)

    def counters(self) -> dict[str, dict[str, int]]:
        """Per endpoint that saw requests: requests, and how many were refused (error), lost, delayed."""
        with self._lock:
            counts = dict(self._counts)
        table: dict[str, dict[str, int]] = {}
        for (endpoint, kind), count in sorted(counts.items()):
            table.setdefault(endpoint, {"requests": 0, "error": 0, "lost": 0, "delayed": 0})[kind] = count
        return table

    def reset_counters(self) -> None:
        with self._lock:
            self._counts.clear()
