"""The fault spec: what each clause means, how later clauses change earlier ones, and one clear line for a bad part."""

import pytest

from runtime.fault_spec import ENDPOINTS, Fault, FaultSpecError, FaultTable, parse_faults


def test_an_empty_spec_means_no_faults() -> None:
    assert parse_faults("") == FaultTable()
    assert parse_faults(" ; ") == FaultTable()


def test_the_wildcard_reaches_every_endpoint_and_a_named_one_changes_only_what_it_names() -> None:
    table = parse_faults("*:error=0.1,lost=0.05,latency=50ms;payment.capture:error=0.3")

    assert set(table.endpoints) == set(ENDPOINTS)
    assert table.fault("smtp") == Fault(error=0.1, lost=0.05, latency_ms=50)
    assert table.fault("payment.capture") == Fault(error=0.3, lost=0.05, latency_ms=50)


def test_a_group_reaches_its_endpoints_only() -> None:
    table = parse_faults("carrier.*:lost=50%")

    assert set(table.endpoints) == {name for name in ENDPOINTS if name.startswith("carrier.")}
    assert table.fault("carrier.intercept").lost == 0.5
    assert not table.fault("payment.refund").active


@pytest.mark.parametrize(
    ("latency", "milliseconds"), [("50ms", 50), ("50", 50), ("0.5s", 500), ("2s", 2000), ("1.5ms", 2)]
)
def test_latency_reads_milliseconds_and_seconds(latency: str, milliseconds: int) -> None:
    assert parse_faults(f"smtp:latency={latency}").fault("smtp").latency_ms == milliseconds


def test_the_seed_is_kept_and_the_table_prints_as_a_spec_that_reads_back_the_same() -> None:
    table = parse_faults("seed=42; inventory:error=0.2 ; payment.refund:lost=1,latency=1s")

    assert table.seed == 42
    assert table.spec() == "seed=42;payment.refund:lost=1,latency=1000ms;inventory:error=0.2"
    assert parse_faults(table.spec()) == table


def test_a_spec_applies_over_a_base_table_and_zero_clears_a_fault() -> None:
    base = parse_faults("seed=7;*:error=0.2")

    patched = parse_faults("smtp:error=0;payment.void:lost=0.1", base)

    assert patched.seed == 7
    assert "smtp" not in patched.endpoints
    assert patched.fault("payment.void") == Fault(error=0.2, lost=0.1)
    assert patched.fault("carrier.label") == Fault(error=0.2)


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("payment.captur:error=0.1", "'payment.captur' is not an endpoint"),
        ("payment:error=0.1", "'payment' is not an endpoint"),
        ("smtp", "'smtp' is not TARGET:SETTING"),
        ("smtp:", "'smtp:' is not TARGET:SETTING"),
        ("smtp:errors=0.1", "'errors=0.1' in 'smtp:errors=0.1' is not error=RATE"),
        ("smtp:error=1.5", "'error=1.5' in 'smtp:error=1.5': a rate is from 0 to 1"),
        ("smtp:error=150%", "'error=150%' in 'smtp:error=150%': a rate is from 0 to 1"),
        ("smtp:lost=-0.1", "'lost=-0.1' in 'smtp:lost=-0.1': a rate is from 0 to 1"),
        ("smtp:latency=fast", "'latency=fast' in 'smtp:latency=fast': a delay is like 50ms"),
        ("smtp:latency=2m", "'latency=2m' in 'smtp:latency=2m': a delay is like 50ms"),
        ("smtp:latency=61s", "at most 60s"),
        ("seed=x", "'seed=x': the seed is a whole number"),
        ("*:error=0.5;payment.capture:lost=0.6", "payment.capture: error 0.5 + lost 0.6 exceed 1"),
    ],
)
def test_a_bad_spec_is_refused_in_one_line_naming_the_bad_part(spec: str, named: str) -> None:
    with pytest.raises(FaultSpecError) as refused:
        parse_faults(spec)

    assert named in str(refused.value)
    assert "\n" not in str(refused.value)
