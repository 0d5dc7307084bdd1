"""Faults on demand in the stand-ins: which endpoint fails how often, read from a compact spec.

    SPEC     clauses separated by ";", applied left to right; "" means no faults
    CLAUSE   TARGET ":" SETTING ("," SETTING)*   or   "seed=" INTEGER
    TARGET   "*" (every endpoint), "payment.*", "carrier.*", or one endpoint (ENDPOINTS)
    SETTING  "error=" RATE      refused before anything is done (HTTP 503, SMTP 421)
             "lost=" RATE       done and committed, then the answer is lost (HTTP 502, SMTP 451)
             "latency=" DELAY   added before the request is handled
    RATE     a fraction from 0 to 1 ("0.1") or a percentage ("10%")
    DELAY    milliseconds ("50ms", or a bare "50") or seconds ("0.5s")

A later clause changes only the settings it names, so `*:error=0.1,latency=20ms;payment.capture:error=0.5`
gives the capture an error rate of 0.5 and the 20 ms latency of every endpoint.
"""

import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Endpoint = Literal[
    "payment.authorize",
    "payment.capture",
    "payment.void",
    "payment.refund",
    "payment.refund_status",
    "payment.store_credit",
    "carrier.label",
    "carrier.void",
    "carrier.hold",
    "carrier.release",
    "carrier.intercept",
    "smtp",
    "inventory",
]
ENDPOINTS: tuple[Endpoint, ...] = get_args(Endpoint)

# The longest latency a spec may add: longer would only trip the callers' own timeouts.
MAX_LATENCY_MS = 60_000

Rate = Annotated[float, Field(ge=0, le=1)]


class FaultSpecError(ValueError):
    """A spec that cannot be read; the message names the part that is wrong, in one line."""


class Fault(BaseModel):
    """What one endpoint suffers: the chance a request is refused, the chance its answer is lost, added latency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    error: Rate = 0.0
    lost: Rate = 0.0
    latency_ms: Annotated[int, Field(ge=0, le=MAX_LATENCY_MS)] = 0

    @model_validator(mode="after")
    def _one_outcome_per_request(self) -> "Fault":
        # A request is refused, or answered and lost, or served: the two chances share one draw.
        if self.error + self.lost > 1:
            raise ValueError(f"error {self.error:g} + lost {self.lost:g} exceed 1")
        return self

    @property
    def active(self) -> bool:
        return bool(self.error or self.lost or self.latency_ms)

    def spec(self) -> str:
        settings = [f"error={self.error:g}"] if self.error else []
        settings += [f"lost={self.lost:g}"] if self.lost else []
        settings += [f"latency={self.latency_ms}ms"] if self.latency_ms else []
        return ",".join(settings)


NO_FAULT = Fault()


class FaultTable(BaseModel):
    """The faults of every endpoint that has one, and the seed of the draws (None: a fresh one per start)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int | None = None
    endpoints: dict[Endpoint, Fault] = Field(default_factory=dict)

    def fault(self, endpoint: Endpoint) -> Fault:
        return self.endpoints.get(endpoint, NO_FAULT)

    def spec(self) -> str:
        """The table as a spec that parses back to it."""
        clauses = [f"seed={self.seed}"] if self.seed is not None else []
        clauses += [f"{name}:{fault.spec()}" for name, fault in self.endpoints.items() if fault.active]
        return ";".join(clauses)


_SETTING = re.compile(r"(?P<name>error|lost|latency)=(?P<value>.+)")
_RATE = re.compile(r"(?P<number>\d+(?:\.\d*)?|\.\d+)(?P<percent>%?)")
_DELAY = re.compile(r"(?P<number>\d+(?:\.\d*)?|\.\d+)(?P<unit>ms|s)?")
_GROUPS = ("payment", "carrier")


def parse_faults(spec: str, base: FaultTable | None = None) -> FaultTable:
    """The table `spec` describes, applied over `base` (an empty table by default); FaultSpecError if it is wrong."""
    seed = base.seed if base else None
    faults: dict[Endpoint, dict[str, float | int]] = {
        name: fault.model_dump() for name, fault in (base.endpoints.items() if base else ())
    }
    for clause in (part.strip() for part in spec.split(";")):
        if not clause:
            continue
        if clause.startswith("seed="):
            seed = _integer(clause.removeprefix("seed="), clause)
            continue
        target, colon, settings = clause.partition(":")
        if not colon or not settings.strip():
            raise FaultSpecError(f"fault spec: {clause!r} is not TARGET:SETTING,... (e.g. payment.capture:error=0.3)")
        changes = dict(_setting(setting.strip(), clause) for setting in settings.split(","))
        for name in _targets(target.strip()):
            faults[name] = {**faults.get(name, {}), **changes}
    endpoints: dict[Endpoint, Fault] = {}
    for name, values in sorted(faults.items(), key=lambda item: ENDPOINTS.index(item[0])):  # one canonical spec()
        try:
            fault = Fault.model_validate(values)
        except ValidationError as error:  # each setting is checked alone above; this is their sum
            reason = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
            raise FaultSpecError(f"fault spec: {name}: {reason}") from None
        if fault.active:
            endpoints[name] = fault
    return FaultTable(seed=seed, endpoints=endpoints)


def _targets(target: str) -> tuple[Endpoint, ...]:
    if target == "*":
        return ENDPOINTS
    group = target.removesuffix(".*")
    if target.endswith(".*") and group in _GROUPS:
        return tuple(name for name in ENDPOINTS if name.startswith(f"{group}."))
    if target in ENDPOINTS:
        return (target,)  # type: ignore[return-value]  # checked against the Literal's values just above
    raise FaultSpecError(
        f"fault spec: {target!r} is not an endpoint: use *, payment.*, carrier.* or one of {', '.join(ENDPOINTS)}"
    )


def _setting(setting: str, clause: str) -> tuple[str, float | int]:
    matched = _SETTING.fullmatch(setting)
    if matched is None:
        raise FaultSpecError(f"fault spec: {setting!r} in {clause!r} is not error=RATE, lost=RATE or latency=DELAY")
    name, value = matched["name"], matched["value"].strip()
    if name == "latency":
        delay = _DELAY.fullmatch(value)
        if delay is None:
            raise FaultSpecError(f"fault spec: {setting!r} in {clause!r}: a delay is like 50ms or 0.5s")
        milliseconds = float(delay["number"]) * (1000 if delay["unit"] == "s" else 1)
        if milliseconds > MAX_LATENCY_MS:
            raise FaultSpecError(f"fault spec: {setting!r} in {clause!r}: at most {MAX_LATENCY_MS // 1000}s")
        return "latency_ms", round(milliseconds)
    rate = _RATE.fullmatch(value)
    fraction = float(rate["number"]) / (100 if rate["percent"] else 1) if rate else -1.0
    if not 0 <= fraction <= 1:
        raise FaultSpecError(f"fault spec: {setting!r} in {clause!r}: a rate is from 0 to 1, or 0% to 100%")
    return name, fraction


def _integer(value: str, clause: str) -> int:
    if not re.fullmatch(r"\d{1,18}", value.strip()):
        raise FaultSpecError(f"fault spec: {clause!r}: the seed is a whole number, e.g. seed=42")
    return int(value)
