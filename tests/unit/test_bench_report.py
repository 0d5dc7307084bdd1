"""The bench report keeps its hand-written history and compares CPU per order with the bare twin."""

from pathlib import Path

from starter.bench_paths import PathRun
from starter.bench_report import cpu_ratio, markdown, tried_section


def figures() -> dict[str, object]:
    return {"when": "now", "machine": "m", "orders": 1, "concurrency": 1, "rate": 10, "paths": {}, "notes": []}


def test_the_what_was_tried_section_survives_a_rewrite_of_the_figures(tmp_path: Path) -> None:
    report = tmp_path / "bench.md"
    report.write_text("# old figures\n\n| a | b |\n\n## What was tried\n\n- a change: before 1, after 2, kept\n")

    report.write_text(markdown(figures(), tried_section(report)))

    assert report.read_text().endswith("## What was tried\n\n- a change: before 1, after 2, kept\n")
    assert "old figures" not in report.read_text()


def test_a_report_without_the_section_gets_none(tmp_path: Path) -> None:
    assert tried_section(tmp_path / "missing.md") == ""


def test_cpu_ratio_is_the_bare_cpu_per_order_over_ours() -> None:
    ours = PathRun("ours", cpu=2.0, latencies=[1.0] * 40)
    bare = PathRun("bare", cpu=1.5, latencies=[1.0] * 50)

    assert cpu_ratio(ours, bare) == 0.6
