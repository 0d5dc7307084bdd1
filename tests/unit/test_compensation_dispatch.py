"""A compensation Step that the Compensator cannot run, or cannot record as done outside, fails the type check."""

import shutil
from pathlib import Path

from mypy import api

ROOT = Path(__file__).parents[2]


def type_check_with_a_new_step(tmp_path: Path) -> str:
    """mypy's report on a copy of the code whose Step has one member more than its dispatch knows."""
    for package in ("domain", "workflows", "activities"):
        shutil.copytree(ROOT / package, tmp_path / package)
    cancellation = tmp_path / "domain" / "cancellation.py"
    source = cancellation.read_text()
    last = '    RELEASE_STOCK = "RELEASE_STOCK"\n'
    assert last in source, "Step's last member moved: update this test"
    cancellation.write_text(source.replace(last, last + '    HOLD_AT_DEPOT = "HOLD_AT_DEPOT"\n'))
    report, _, _ = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / ".mypy_cache"), str(tmp_path / "workflows")]
    )
    return report


def test_a_step_without_a_runner_fails_the_type_check(tmp_path: Path) -> None:
    report = type_check_with_a_new_step(tmp_path)

    missing = [line for line in report.splitlines() if "assert_never" in line and "HOLD_AT_DEPOT" in line]
    assert len(missing) == 2, report  # one to run it, one to record it as done outside
    assert all("compensation.py" in line for line in missing), report
