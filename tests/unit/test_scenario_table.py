"""The scenario table: a step that went to Temporal while the suite ran over the API is named on its row."""

from rich.console import Console

from starter import render
from starter.scenarios import ScenarioResult


def rendered(*rows: ScenarioResult) -> str:
    console = Console(width=200, record=True)
    console.print(render.scenarios(rows))
    return console.export_text()


def test_a_step_sent_to_temporal_is_named_on_its_row_brackets_and_all():
    row = ScenarioResult("cancel_by_signal", True, "signal answered", 1.0, ("o-1",), ("cancel by signal",))

    assert "signal answered [cancel by signal: on Temporal]" in rendered(row)


def test_a_row_all_over_one_channel_names_none():
    row = ScenarioResult("happy_path", True, "COMPLETED", 1.0, ("o-2",))

    assert "on Temporal" not in rendered(row)
