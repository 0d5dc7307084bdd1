"""`orders load` and `orders chaos` as a user runs them: every order in its expected end state, the audit
clean, the figures in the JSON; chaos kills a worker and the server on the way and loses nothing."""

import json
from pathlib import Path

import pytest

from starter.system import System, isolated_settings
from tests.e2e.conftest import orders

pytestmark = pytest.mark.e2e

FIGURES = {"orders", "seconds", "orders_per_s", "cancel_update_ms", "stages_s", "end_states", "paths", "missed"}


async def test_a_load_ends_every_order_where_its_path_says_and_the_audit_is_clean(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    async with System(settings):
        ran = orders(settings, "load", "--orders", "20", "--rate", "10", "--json", timeout=240)

    assert ran.returncode == 0, ran.stdout + ran.stderr
    figures = json.loads(ran.stdout)
    assert FIGURES | {"audit", "clean", "all_met"} <= set(figures)
    assert (figures["orders"], figures["clean"], figures["missed"]) == (20, True, [])
    assert figures["audit"]["clean"] and figures["audit"]["orders"] == 20
    assert sum(path["orders"] for path in figures["paths"].values()) == 20
    assert figures["cancel_update_ms"]["count"] > 0
    assert set(figures["cancel_update_ms"]) == {"count", "p50", "p95", "p99"}
    assert figures["stages_s"]["completed"]["count"] > 0


def test_a_load_with_a_bad_mix_says_what_is_wrong_in_one_line() -> None:
    ran = orders(isolated_settings(Path("/nonexistent")), "load", "--mix", "happy=1,teleport=2")

    assert ran.returncode == 1
    assert ran.stderr.startswith("error: invalid --mix 'happy=1,teleport=2': unknown path 'teleport'")
    assert ran.stderr.count("\n") == 1


def test_chaos_kills_workers_and_the_server_and_every_order_still_ends_where_it_should(tmp_path: Path) -> None:
    ran = orders(
        isolated_settings(tmp_path),
        "chaos", "--orders", "30", "--rate", "4", "--kill-every", "8", "--errors", "0", "--lost", "0",
        "--dir", str(tmp_path / "chaos"), "--json",
        timeout=300,
    )  # fmt: skip

    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    figures = json.loads(ran.stdout)
    chaos = figures["chaos"]
    assert (figures["orders"], figures["clean"], figures["missed"]) == (30, True, [])
    assert chaos["worker_kills"] >= 1 and chaos["server_kills"] == 1, chaos["actions"]
    assert chaos["restarts"] >= chaos["worker_kills"], chaos["actions"]
    assert "SIGKILL temporal" in ran.stderr
