"""Every `workflow.patched` guard in the workflow code is in the patch register, and the register lists no ghost."""

import ast
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from workflows import patches
from workflows.patches import ORDER_LIFE, REGISTER, Stage

WORKFLOWS = Path(__file__).parents[2] / "workflows"
CALLS = {"patched": Stage.LIVE, "deprecate_patch": Stage.DEPRECATED}


def patch_calls(source: str) -> Iterator[tuple[str, str]]:
    """(the function called, the patch id) of each `workflow.patched(...)`/`deprecate_patch(...)` in the source."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALLS:
            (argument,) = node.args
            if isinstance(argument, ast.Constant):
                yield node.func.attr, argument.value
            elif isinstance(argument, ast.Attribute | ast.Name):
                name = argument.attr if isinstance(argument, ast.Attribute) else argument.id
                yield node.func.attr, getattr(patches, name, f"<unregistered name {name}>")
            else:
                pytest.fail(f"cannot tell which patch {ast.unparse(node)} names")


def used() -> dict[str, Stage]:
    return {
        patch_id: CALLS[call] for path in WORKFLOWS.glob("*.py") for call, patch_id in patch_calls(path.read_text())
    }


def test_every_patch_in_the_code_is_registered_at_its_stage() -> None:
    in_code = used()

    assert in_code, "no workflow.patched call found: is the scan looking in the right place?"
    for patch_id, stage in in_code.items():
        assert patch_id in REGISTER, f"workflow.patched({patch_id!r}) is not in workflows/patches.py"
        assert REGISTER[patch_id].stage is stage, f"{patch_id} is called as {stage} but registered {REGISTER[patch_id].stage}"


def test_every_live_or_deprecated_patch_in_the_register_is_still_in_the_code() -> None:
    in_code = used()

    for patch in REGISTER.values():
        if patch.stage is Stage.RETIRED:
            assert patch.id not in in_code, f"{patch.id} is registered RETIRED but still called"
        else:
            assert patch.id in in_code, f"{patch.id} is registered {patch.stage} but no code calls it"


def test_a_literal_patch_id_in_code_is_caught_too() -> None:
    source = 'workflow.patched("a-new-guard")\nworkflow.deprecate_patch(patches.RESEND_AFTER_LOST_ANSWER)'

    calls = list(patch_calls(source))

    assert calls == [("patched", "a-new-guard"), ("deprecate_patch", "resend-after-lost-answer")]
    assert "a-new-guard" not in REGISTER


def test_a_patch_may_be_retired_only_after_the_longest_order_life() -> None:
    assert ORDER_LIFE.days >= 45  # window, review, pickup, delivery, intercept, return, refund and answer periods

    for patch in REGISTER.values():
        assert patch.retire_after - patch.added >= ORDER_LIFE
        assert patch.retire_after - patch.added < ORDER_LIFE + timedelta(days=1)
